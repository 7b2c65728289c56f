import { useEffect, useState } from 'preact/hooks';
import { DashboardUsageDocument, Granularity, type DashboardUsageQuery } from '../../../src/contract/operations.generated';
import type { PanelProps } from '../shared/panel';
import { Card } from '../shared/ui';
import { lastThirtyDays, lastTwelveMonths, UsageChart, type Period } from '../shared/UsageChart';
import type { Text } from './text';

/** The tenant's metered calls by day (last 30 days) or by month (last 12), with the console's chart and CSV. */
export function UsagePanel({ api, fail, t, text, slug }: PanelProps & { text: Text; slug: string }) {
  const [period, setPeriod] = useState<Period>('DAY');
  const [report, setReport] = useState<{ period: Period; usage: DashboardUsageQuery['usage'] } | null>(null);

  useEffect(() => {
    const range = period === 'DAY' ? lastThirtyDays() : lastTwelveMonths();
    const granularity = period === 'DAY' ? Granularity.Day : Granularity.Month;
    api.request(DashboardUsageDocument, { ...range, granularity }).then((d) => setReport({ period, usage: d.usage }), fail);
  }, [api, period, fail]);

  return (
    <Card
      title={text('usage.title')}
      id="usage"
      actions={
        <div class="segmented" role="group" aria-label={text('usage.period')}>
          {(['DAY', 'MONTH'] as const).map((p) => (
            <button key={p} type="button" class={period === p ? 'current' : ''} aria-pressed={period === p} data-testid={`usage-${p.toLowerCase()}`} onClick={() => setPeriod(p)}>
              {text(`usage.${p}`)}
            </button>
          ))}
        </div>
      }
    >
      {report ? (
        <UsageChart
          key={report.period}
          buckets={report.usage.buckets}
          total={report.usage.total}
          period={report.period}
          title={text(`usage.${report.period}`)}
          filename={`usage-${slug}-${report.period === 'DAY' ? 'daily' : 'monthly'}.csv`}
          t={t}
        />
      ) : (
        <p class="muted">{text('loading')}</p>
      )}
    </Card>
  );
}
