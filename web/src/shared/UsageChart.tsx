import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { CountsFragment } from '../../../src/contract/operations.generated';
import { download } from './api';
import { englishPanels, type PanelTranslate } from './panel-i18n';

export type Period = 'DAY' | 'MONTH';

// The chart draws counts: its y axis starts at zero and ticks on whole numbers only (1, 2, 5, 10, 20, 50… apart),
// where uPlot's own steps would also offer 0.5 or 0.25 when the counts are small.
const COUNT_STEPS = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));
const countRange: uPlot.Range.Function = (_plot, _min, max) => [0, Math.max(1, Math.ceil(uPlot.rangeNum(0, max, 0.1, true)[1] ?? max))];
export type UsageBuckets = ({ start: string } & CountsFragment)[];

interface Props {
  buckets: UsageBuckets;
  total: CountsFragment;
  title: string;
  filename: string;
  /** What one bucket is: a UTC day (the default) or a UTC month. */
  period?: Period;
  t?: PanelTranslate;
}

/**
 * Requests per day (or month) as a uPlot chart, with the same figures as a caption and a table (readable by screen
 * readers and by tests, which cannot read a canvas) and as a CSV download.
 */
export function UsageChart({ buckets, total, title, filename, period = 'DAY', t = englishPanels }: Props) {
  const holder = useRef<HTMLDivElement>(null);
  const label = (start: string) => start.slice(0, period === 'MONTH' ? 7 : 10);

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const xs = buckets.map((b) => Math.floor(new Date(b.start).getTime() / 1000));
    const width = Math.max(280, el.clientWidth || 600);
    const plot = new uPlot(
      {
        width,
        height: 220,
        scales: { x: { time: true }, y: { range: countRange } },
        axes: [
          {},
          {
            label: t('usage.axis'),
            incrs: COUNT_STEPS,
            // The ticks drawn, also on the holder: a canvas can't be read by tests.
            values: (_plot, ticks) => {
              el.dataset.yTicks = ticks.join(' ');
              return ticks.map((v) => v.toLocaleString());
            },
          },
        ],
        series: [
          {},
          { label: t('usage.succeeded'), stroke: '#1f6f8b', fill: 'rgba(31,111,139,0.12)', width: 2 },
          { label: t('usage.refused'), stroke: '#c2812b', width: 2 },
          { label: t('usage.failed'), stroke: '#a3312a', width: 2 },
        ],
      },
      [xs, buckets.map((b) => b.succeeded), buckets.map((b) => b.refused), buckets.map((b) => b.failed)],
      el,
    );
    return () => plot.destroy();
  }, [buckets, t]);

  function saveCsv() {
    const header = `${period === 'MONTH' ? 'month' : 'day'},requests,succeeded,refused,failed,inputTokens,outputTokens`;
    const rows = buckets.map((b) => [label(b.start), b.requests, b.succeeded, b.refused, b.failed, b.inputTokens, b.outputTokens].join(','));
    download(filename, [header, ...rows].join('\n') + '\n', 'text/csv;charset=utf-8');
  }

  return (
    <figure class="usage" data-testid="usage-chart">
      <figcaption>
        <span>
          <strong>{title}</strong>: <span data-total="requests">{total.requests}</span>{' '}
          {t('usage.summary', { succeeded: total.succeeded, refused: total.refused, failed: total.failed, tokens: total.inputTokens + total.outputTokens })}
        </span>
        <button type="button" class="small" onClick={saveCsv}>
          {t('usage.csv')}
        </button>
      </figcaption>
      <div ref={holder} class="chart" />
      <details>
        <summary>{t(`usage.table.${period}`)}</summary>
        <table>
          <thead>
            <tr>
              <th>{t(`usage.col.${period}`)}</th>
              <th>{t('usage.col.requests')}</th>
              <th>{t('usage.col.succeeded')}</th>
              <th>{t('usage.col.refused')}</th>
              <th>{t('usage.col.failed')}</th>
            </tr>
          </thead>
          <tbody>
            {buckets.filter((b) => b.requests > 0).map((b) => (
              <tr key={b.start}>
                <td>{label(b.start)}</td>
                <td>{b.requests}</td>
                <td>{b.succeeded}</td>
                <td>{b.refused}</td>
                <td>{b.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** The last 30 days, whole UTC days, ending tomorrow so today's asks are in. */
export function lastThirtyDays(): { from: string; to: string } {
  const to = new Date();
  to.setUTCHours(0, 0, 0, 0);
  to.setUTCDate(to.getUTCDate() + 1);
  const from = new Date(to.getTime() - 30 * 86_400_000);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** The last twelve months, whole UTC months, ending with the current one. */
export function lastTwelveMonths(): { from: string; to: string } {
  const now = new Date();
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  return { from: from.toISOString(), to: to.toISOString() };
}
