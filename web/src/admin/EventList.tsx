import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AbuseEventsDocument, AuditLogDocument, RatingsDocument, RatingStatsDocument, type Rating } from '../../../src/contract/operations.generated';
import { usePaged, type Paged } from '../shared/usePaged';
import { Card, FilterSelect, formatDateTime, Pager } from '../shared/ui';
import type { ConsoleProps } from './types';

type Kind = 'abuse' | 'audit' | 'ratings';
type Props = ConsoleProps & { tenantId?: string };

/** The three logs the console reads newest first, a page at a time: abuse events, audit entries, answer ratings. */
export function EventList({ kind, ...props }: Props & { kind: Kind }) {
  if (kind === 'abuse') return <AbuseEvents {...props} />;
  if (kind === 'audit') return <AuditEntries {...props} />;
  return <AnswerRatings {...props} />;
}

function AbuseEvents({ api, fail, tenantId }: Props) {
  const list = usePaged(api, AbuseEventsDocument, (d) => d.abuseEvents, { tenantId: tenantId ?? null }, fail);
  return (
    <Events title="Abuse events" list={list}>
      {(n) => (
        <>
          <strong>{n.kind}</strong> {n.ip && <code>{n.ip}</code>} <span class="muted">{n.detail}</span>
        </>
      )}
    </Events>
  );
}

function AuditEntries({ api, fail, tenantId }: Props) {
  const list = usePaged(api, AuditLogDocument, (d) => d.auditLog, { tenantId: tenantId ?? null }, fail);
  return (
    <Events title="Audit log" list={list}>
      {(n) => (
        <>
          <strong>{n.action}</strong> {n.targetType} <code title={n.targetId ?? ''}>{(n.targetId ?? '').slice(0, 8)}</code> <span class="muted">by {n.actor}</span>
          <span class="muted small detail">{n.detail}</span>
        </>
      )}
    </Events>
  );
}

function AnswerRatings({ api, fail, tenantId }: Props) {
  const [rating, setRating] = useState<Rating | ''>('');
  const [stats, setStats] = useState<{ up: number; down: number } | null>(null);
  const list = usePaged(api, RatingsDocument, (d) => d.answerRatings, { tenantId: tenantId ?? null, rating: rating || null }, fail);

  useEffect(() => {
    api.request(RatingStatsDocument, { tenantId: tenantId ?? null }).then((d) => setStats(d.answerRatingStats), fail);
  }, [api, tenantId, fail]);

  const actions = (
    <>
      {stats && (
        <span class="small">
          helpful {stats.up} · unhelpful {stats.down}
        </span>
      )}
      <FilterSelect label="Rating" value={rating} onChange={(v) => setRating(v as Rating | '')} options={[['', 'All ratings'], ['UP', 'Helpful'], ['DOWN', 'Unhelpful']]} />
    </>
  );
  return (
    <Events title="Answer ratings" list={list} actions={actions}>
      {(n) => (
        <>
          <span class={`badge ${n.rating === 'UP' ? 'ok' : 'warn'}`}>{n.rating === 'UP' ? 'helpful' : 'unhelpful'}</span> message <code>{n.messageId.slice(0, 8)}</code>{' '}
          {n.comment && <q>{n.comment}</q>}
        </>
      )}
    </Events>
  );
}

/** One log's card: its entries with their time, newest first, and the pager. */
function Events<T extends { id: string; createdAt: string }>({ title, list, actions, children }: {
  title: string;
  list: Paged<T>;
  actions?: ComponentChildren;
  children: (node: T) => ComponentChildren;
}) {
  return (
    <Card title={title} actions={actions}>
      <ul class="events">
        {list.page?.nodes.map((n) => (
          <li key={n.id}>
            <span class="when">{formatDateTime(n.createdAt)}</span> {children(n)}
          </li>
        ))}
        {list.page?.nodes.length === 0 && <li class="muted">Nothing yet.</li>}
      </ul>
      <Pager list={list} />
    </Card>
  );
}
