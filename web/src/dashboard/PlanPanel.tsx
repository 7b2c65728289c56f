import type { Language } from '../shared/i18n';
import { Card, formatCents } from '../shared/ui';
import type { Tenant } from './types';
import type { Text } from './text';

/** The plan, this month's quota as a bar, the rate, and what the operator set (visitor cap, allowed sites). */
export function PlanPanel({ tenant, text, language }: { tenant: Tenant; text: Text; language: Language }) {
  const { plan, quota } = tenant;
  const date = (iso: string) => new Date(iso).toLocaleDateString(language === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' });
  const share = quota.limit ? Math.min(1, quota.used / quota.limit) : 0;
  return (
    <Card title={text('plan.title')} id="plan">
      <dl class="facts">
        <dt>{text('plan.plan')}</dt>
        <dd>
          <strong>{plan.name}</strong> · {text('plan.price', { price: formatCents(plan.priceCents, 'EUR', language) })}
        </dd>
        <dt>{text('plan.quota')}</dt>
        <dd>
          <span data-testid="dashboard-quota">{quota.limit === null ? text('plan.unlimited', { used: quota.used }) : text('plan.used', { used: quota.used, limit: quota.limit })}</span>
          {quota.limit !== null && (
            <div class={`meter ${share >= 0.8 ? 'high' : ''}`} role="progressbar" aria-valuemin={0} aria-valuemax={quota.limit} aria-valuenow={quota.used}>
              <span style={{ width: `${Math.round(share * 100)}%` }} />
            </div>
          )}
          <span class="muted small">{text('plan.resets', { date: date(quota.resetsAt) })}</span>
        </dd>
        <dt>{text('plan.rate')}</dt>
        <dd>{text('plan.perMinute', { n: quota.ratePerMinute })}</dd>
        {tenant.trialEndsAt && (
          <>
            <dt>{text('plan.trial')}</dt>
            <dd>{date(tenant.trialEndsAt)}</dd>
          </>
        )}
        <dt>{text('plan.visitors')}</dt>
        <dd>{tenant.visitorAsksPerDay === null || tenant.visitorAsksPerDay === undefined ? text('plan.noVisitorCap') : text('plan.visitorCap', { n: tenant.visitorAsksPerDay })}</dd>
        <dt>{text('plan.origins')}</dt>
        <dd class="origins">{tenant.allowedOrigins.length ? tenant.allowedOrigins.join(', ') : text('plan.anyOrigin')}</dd>
      </dl>
      <p class="muted small">{text('plan.changes')}</p>
    </Card>
  );
}
