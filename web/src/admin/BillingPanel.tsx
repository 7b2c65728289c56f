import { Card, formatDateTime } from '../shared/ui';
import type { Tenant } from './types';

type TenantBilling = NonNullable<Tenant['billing']>;

const STATUS: Record<TenantBilling['status'], { label: string; tone: string }> = {
  ACTIVE: { label: 'paid up', tone: 'ok' },
  PAST_DUE: { label: 'payment failed', tone: 'warn' },
  SUSPENDED: { label: 'suspended for non-payment', tone: 'warn' },
};

/** The tenant's billing with Stripe, read-only: the customer, the subscription, an unpaid invoice and its deadline. */
export function BillingPanel({ billing }: { billing: TenantBilling }) {
  const status = STATUS[billing.status];
  return (
    <Card title="Billing (Stripe)">
      <dl class="facts" data-testid="tenant-billing">
        <dt>Status</dt>
        <dd>
          <span class={`badge ${status.tone}`} data-testid="billing-status">
            {status.label}
          </span>
          {billing.pendingChanges > 0 && <span class="badge warn">{billing.pendingChanges} change(s) waiting for Stripe</span>}
        </dd>
        <dt>Customer</dt>
        <dd>{billing.customerId ?? 'not created yet'}</dd>
        <dt>Subscription</dt>
        <dd>{billing.subscriptionId ?? 'none'}</dd>
        {billing.unpaidInvoiceId && (
          <>
            <dt>Unpaid invoice</dt>
            <dd>
              {billing.unpaidInvoiceId} · failed {formatDateTime(billing.pastDueSince)}
            </dd>
            <dt>{billing.status === 'SUSPENDED' ? 'Suspended' : 'Suspension on'}</dt>
            <dd data-testid="billing-suspend-at">{formatDateTime(billing.suspendAt)}</dd>
          </>
        )}
      </dl>
    </Card>
  );
}
