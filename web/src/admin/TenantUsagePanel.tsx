import { useEffect, useState } from 'preact/hooks';
import { InvoiceDocument, TenantUsageDocument, type InvoiceQuery } from '../../../src/contract/operations.generated';
import { Card, formatCents, thisMonth } from '../shared/ui';
import { lastThirtyDays, UsageChart } from '../shared/UsageChart';
import type { ConsoleProps, Tenant, UsageReport } from './types';

export function TenantUsagePanel({ api, fail, tenant }: ConsoleProps & { tenant: Tenant }) {
  const [usage, setUsage] = useState<UsageReport | null>(null);
  const [month, setMonth] = useState(thisMonth());
  const [invoice, setInvoice] = useState<InvoiceQuery['invoice'] | null>(null);

  useEffect(() => {
    api.request(TenantUsageDocument, { tenantId: tenant.id, ...lastThirtyDays() }).then((d) => setUsage(d.tenantUsage), fail);
  }, [api, tenant, fail]);

  useEffect(() => {
    if (!/^\d{4}-\d{2}$/.test(month)) return;
    api.request(InvoiceDocument, { tenantId: tenant.id, month }).then((d) => setInvoice(d.invoice), fail);
  }, [api, tenant.id, month, fail]);

  return (
    <div class="stack">
      <Card title="Usage, last 30 days">
        {usage ? <UsageChart buckets={usage.buckets} total={usage.total} title={tenant.name} filename={`usage-${tenant.slug}.csv`} /> : <p class="muted">Loading…</p>}
      </Card>
      <Card
        title="Invoice"
        class="invoice"
        actions={
          <>
            <input type="month" aria-label="Month" value={month} onInput={(e) => setMonth((e.target as HTMLInputElement).value)} />
            <button type="button" onClick={() => window.print()}>
              Print
            </button>
          </>
        }
      >
        {invoice && (
          <div class="printable">
            <header class="invoice-head">
              <div>
                <strong>AskDesk</strong>
                <div class="muted small">Invoice {invoice.month}</div>
              </div>
              <div>
                <strong>{tenant.name}</strong>
                <div class="muted small">{tenant.contactEmail}</div>
              </div>
            </header>
            <table class="table">
              <thead>
                <tr>
                  <th>Description</th>
                  <th class="num">Quantity</th>
                  <th class="num">Unit</th>
                  <th class="num">Amount</th>
                </tr>
              </thead>
              <tbody>
                {invoice.lines.map((l, i) => (
                  <tr key={i}>
                    <td>{l.description}</td>
                    <td class="num">{l.quantity}</td>
                    <td class="num">{formatCents(l.unitCents, invoice.currency)}</td>
                    <td class="num">{formatCents(l.amountCents, invoice.currency)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <td colSpan={3}>Subtotal</td>
                  <td class="num">{formatCents(invoice.subtotalCents, invoice.currency)}</td>
                </tr>
                <tr>
                  <td colSpan={3}>VAT</td>
                  <td class="num">{formatCents(invoice.vatCents, invoice.currency)}</td>
                </tr>
                <tr class="total">
                  <td colSpan={3}>Total</td>
                  <td class="num">{formatCents(invoice.totalCents, invoice.currency)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
