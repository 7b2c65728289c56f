import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { download } from '../shared/api';
import type { UsageReport } from './types';

/**
 * Requests per day as a uPlot chart, with the same figures as a caption and a table (readable by screen readers
 * and by tests, which cannot read a canvas) and as a CSV download.
 */
export function UsageChart({ buckets, total, title, filename }: { buckets: UsageReport['buckets']; total: UsageReport['total']; title: string; filename: string }) {
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const xs = buckets.map((b) => Math.floor(new Date(b.start).getTime() / 1000));
    const width = Math.max(280, el.clientWidth || 600);
    const plot = new uPlot(
      {
        width,
        height: 220,
        scales: { x: { time: true } },
        axes: [{}, { label: 'requests' }],
        series: [
          {},
          { label: 'succeeded', stroke: '#1f6f8b', fill: 'rgba(31,111,139,0.12)', width: 2 },
          { label: 'refused', stroke: '#c2812b', width: 2 },
          { label: 'failed', stroke: '#a3312a', width: 2 },
        ],
      },
      [xs, buckets.map((b) => b.succeeded), buckets.map((b) => b.refused), buckets.map((b) => b.failed)],
      el,
    );
    return () => plot.destroy();
  }, [buckets]);

  function saveCsv() {
    const header = 'day,requests,succeeded,refused,failed,inputTokens,outputTokens';
    const rows = buckets.map((b) => [b.start.slice(0, 10), b.requests, b.succeeded, b.refused, b.failed, b.inputTokens, b.outputTokens].join(','));
    download(filename, [header, ...rows].join('\n') + '\n', 'text/csv;charset=utf-8');
  }

  return (
    <figure class="usage" data-testid="usage-chart">
      <figcaption>
        <span>
          <strong>{title}</strong>: <span data-total="requests">{total.requests}</span> requests — {total.succeeded} succeeded, {total.refused} refused,{' '}
          {total.failed} failed; {total.inputTokens + total.outputTokens} tokens.
        </span>
        <button type="button" class="small" onClick={saveCsv}>
          Download CSV
        </button>
      </figcaption>
      <div ref={holder} class="chart" />
      <details>
        <summary>Figures by day</summary>
        <table>
          <thead>
            <tr>
              <th>Day</th>
              <th>Requests</th>
              <th>Succeeded</th>
              <th>Refused</th>
              <th>Failed</th>
            </tr>
          </thead>
          <tbody>
            {buckets.filter((b) => b.requests > 0).map((b) => (
              <tr key={b.start}>
                <td>{b.start.slice(0, 10)}</td>
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
