import { useEffect, useState } from 'preact/hooks';
import { ServiceUsageDocument, UsageSummaryDocument, type UsageSummaryQuery } from '../../../src/contract/operations.generated';
import { Card, thisMonth } from '../shared/ui';
import { lastThirtyDays, UsageChart } from '../shared/UsageChart';
import type { ConsoleProps, UsageReport } from './types';

/** Usage across all tenants: the chart by day, and the month's figures per tenant. */
export function ServiceUsage({ api, fail, onOpen }: ConsoleProps & { onOpen(id: string): void }) {
  const [usage, setUsage] = useState<UsageReport | null>(null);
  const [month, setMonth] = useState(thisMonth());
  const [rows, setRows] = useState<UsageSummaryQuery['usageSummary'] | null>(null);

  useEffect(() => {
    api.request(ServiceUsageDocument, lastThirtyDays()).then((d) => setUsage(d.serviceUsage), fail);
  }, [api, fail]);
  useEffect(() => {
    if (/^\d{4}-\d{2}$/.test(month)) api.request(UsageSummaryDocument, { month }).then((d) => setRows(d.usageSummary), fail);
  }, [api, month, fail]);

  return (
    <div class="stack">
      <Card title="All tenants, last 30 days">
        {usage ? <UsageChart buckets={usage.buckets} total={usage.total} title="All tenants" filename="usage-all-tenants.csv" /> : <p class="muted">Loading…</p>}
      </Card>
      <Card title="By tenant" actions={<input type="month" aria-label="Month" value={month} onInput={(e) => setMonth((e.target as HTMLInputElement).value)} />}>
        <table class="table">
          <thead>
            <tr>
              <th>Tenant</th>
              <th class="num">Requests</th>
              <th class="num">Succeeded</th>
              <th class="num">Refused</th>
              <th class="num">Failed</th>
              <th class="num">Tokens</th>
            </tr>
          </thead>
          <tbody>
            {rows?.map((r) => (
              <tr key={r.tenant.id} class="clickable" onClick={() => onOpen(r.tenant.id)}>
                <td>{r.tenant.name}</td>
                <td class="num">{r.requests}</td>
                <td class="num">{r.succeeded}</td>
                <td class="num">{r.refused}</td>
                <td class="num">{r.failed}</td>
                <td class="num">{r.inputTokens + r.outputTokens}</td>
              </tr>
            ))}
            {rows?.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No usage this month.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
