import { useEffect, useState } from 'preact/hooks';
import { ABUSE_EVENTS, AUDIT_LOG, RATING_STATS, RATINGS } from './queries';
import { Card, FilterSelect, formatDateTime, Pager } from './ui';
import { usePaged } from './usePaged';
import type { ConsoleProps } from './types';

type Kind = 'abuse' | 'audit' | 'ratings';

const SOURCES: Record<Kind, { title: string; query: string; field: string }> = {
  abuse: { title: 'Abuse events', query: ABUSE_EVENTS, field: 'abuseEvents' },
  audit: { title: 'Audit log', query: AUDIT_LOG, field: 'auditLog' },
  ratings: { title: 'Answer ratings', query: RATINGS, field: 'answerRatings' },
};

/** The three logs the console reads newest first, a page at a time: abuse events, audit entries, answer ratings. */
export function EventList({ api, fail, kind, tenantId }: ConsoleProps & { kind: Kind; tenantId?: string }) {
  const source = SOURCES[kind];
  const [rating, setRating] = useState('');
  const [stats, setStats] = useState<{ up: number; down: number } | null>(null);
  const variables = { tenantId: tenantId ?? null, ...(kind === 'ratings' ? { rating: rating || null } : {}) };
  const list = usePaged<any>(api, source.query, source.field, variables, fail);

  useEffect(() => {
    if (kind === 'ratings') api.request(RATING_STATS, { tenantId: tenantId ?? null }).then((d) => setStats(d.answerRatingStats), fail);
  }, [api, kind, tenantId, fail]);

  return (
    <Card
      title={source.title}
      actions={
        kind === 'ratings' && (
          <>
            {stats && (
              <span class="small">
                helpful {stats.up} · unhelpful {stats.down}
              </span>
            )}
            <FilterSelect label="Rating" value={rating} onChange={setRating} options={[['', 'All ratings'], ['UP', 'Helpful'], ['DOWN', 'Unhelpful']]} />
          </>
        )
      }
    >
      <ul class="events">
        {list.page?.nodes.map((n) => (
          <li key={n.id}>
            <span class="when">{formatDateTime(n.createdAt)}</span> {describe(kind, n)}
          </li>
        ))}
        {list.page?.nodes.length === 0 && <li class="muted">Nothing yet.</li>}
      </ul>
      <Pager list={list} />
    </Card>
  );
}

function describe(kind: Kind, n: any) {
  if (kind === 'abuse') {
    return (
      <>
        <strong>{n.kind}</strong> {n.ip && <code>{n.ip}</code>} <span class="muted">{n.detail}</span>
      </>
    );
  }
  if (kind === 'audit') {
    return (
      <>
        <strong>{n.action}</strong> {n.targetType} <code title={n.targetId ?? ''}>{(n.targetId ?? '').slice(0, 8)}</code> <span class="muted">by {n.actor}</span>
        <span class="muted small detail">{n.detail}</span>
      </>
    );
  }
  return (
    <>
      <span class={`badge ${n.rating === 'UP' ? 'ok' : 'warn'}`}>{n.rating === 'UP' ? 'helpful' : 'unhelpful'}</span> message <code>{n.messageId.slice(0, 8)}</code>{' '}
      {n.comment && <q>{n.comment}</q>}
    </>
  );
}
