import { useState } from 'preact/hooks';
import { ChangePlanDocument, DeleteTenantDocument, ReactivateTenantDocument, SuspendTenantDocument, UpdateTenantDocument } from '../../../src/contract/operations.generated';
import { Card, formatDateTime } from '../shared/ui';
import type { ConsoleProps, Plan, Tenant } from './types';

const numberOrNull = (text: string) => (text.trim() === '' ? null : Number(text));

export function TenantSettings({ api, fail, notify, tenant, plans, onChange, onDeleted }: ConsoleProps & {
  tenant: Tenant; plans: Plan[]; onChange(t: Tenant): void; onDeleted(): void;
}) {
  const [plan, setPlan] = useState(tenant.plan.code);
  const [quotaOverride, setQuotaOverride] = useState(tenant.quotaOverride?.toString() ?? '');
  const [rateOverride, setRateOverride] = useState(tenant.rateOverride?.toString() ?? '');
  const [origins, setOrigins] = useState(tenant.allowedOrigins.join('\n'));
  const [selfService, setSelfService] = useState(tenant.documentSelfService);
  const [visitorCap, setVisitorCap] = useState(tenant.visitorAsksPerDay?.toString() ?? '');
  const [reason, setReason] = useState('');
  const [confirmName, setConfirmName] = useState('');

  /** Sends one change; the tenant as the server answers it replaces the one shown. */
  async function run(send: () => Promise<Tenant>, message: string) {
    try {
      onChange(await send());
      notify(message);
    } catch (e) {
      fail(e);
    }
  }

  return (
    <div class="grid-2">
      <Card title="Plan and limits">
        <dl class="facts">
          <dt>Quota this month</dt>
          <dd>
            {tenant.quota.used} used of {tenant.quota.limit ?? 'unlimited'} · resets {formatDateTime(tenant.quota.resetsAt)}
          </dd>
          <dt>Rate</dt>
          <dd>{tenant.quota.ratePerMinute} asks per minute</dd>
          {tenant.trialEndsAt && (
            <>
              <dt>Trial ends</dt>
              <dd>{formatDateTime(tenant.trialEndsAt)}</dd>
            </>
          )}
        </dl>
        <form class="row" onSubmit={(e) => (e.preventDefault(), run(() => api.request(ChangePlanDocument, { tenantId: tenant.id, plan }).then((d) => d.changePlan), 'Plan changed.'))}>
          <label>
            Plan{' '}
            <select value={plan} onChange={(e) => setPlan((e.target as HTMLSelectElement).value as Plan['code'])}>
              {plans.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={plan === tenant.plan.code}>
            Change plan
          </button>
        </form>
        <form
          class="form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            const input = {
              quotaOverride: numberOrNull(quotaOverride),
              rateOverride: numberOrNull(rateOverride),
              allowedOrigins: origins.split(/[\s,]+/).filter(Boolean),
              documentSelfService: selfService,
              visitorAsksPerDay: numberOrNull(visitorCap),
            };
            void run(() => api.request(UpdateTenantDocument, { id: tenant.id, input }).then((d) => d.updateTenant), 'Settings saved.');
          }}
        >
          <label>
            Monthly quota override <span class="muted small">(empty: the plan's)</span>
            <input type="number" min={0} value={quotaOverride} onInput={(e) => setQuotaOverride((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            Rate override per minute <span class="muted small">(empty: the plan's)</span>
            <input type="number" min={1} value={rateOverride} onInput={(e) => setRateOverride((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            Asks per visitor per day <span class="muted small">(publishable keys; empty: no cap)</span>
            <input type="number" min={1} data-testid="visitor-asks-per-day" value={visitorCap} onInput={(e) => setVisitorCap((e.target as HTMLInputElement).value)} />
          </label>
          <label class="check">
            <input type="checkbox" data-testid="document-self-service" checked={selfService} onChange={(e) => setSelfService((e.target as HTMLInputElement).checked)} />
            The client's IT team adds and removes documents itself (secret keys, on its dashboard)
          </label>
          <label class="wide">
            Allowed origins for the widget <span class="muted small">(one per line; none: any origin; <code>null</code> lets the client package work opened from disk)</span>
            <textarea rows={3} value={origins} placeholder="https://intranet.hospital.example" onInput={(e) => setOrigins((e.target as HTMLTextAreaElement).value)} />
          </label>
          <button type="submit">Save settings</button>
        </form>
      </Card>
      <Card title="Status" class="danger-zone">
        <p>
          This tenant is <span class={`badge ${tenant.status === 'ACTIVE' ? 'ok' : 'warn'}`}>{tenant.status.toLowerCase()}</span>.
        </p>
        {tenant.status === 'ACTIVE' ? (
          <form class="row" onSubmit={(e) => (e.preventDefault(), run(() => api.request(SuspendTenantDocument, { id: tenant.id, reason }).then((d) => d.suspendTenant), 'Tenant suspended.'))}>
            <input required placeholder="Reason (e.g. unpaid invoice)" aria-label="Reason for suspending" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
            <button type="submit">Suspend</button>
          </form>
        ) : (
          <button type="button" onClick={() => run(() => api.request(ReactivateTenantDocument, { id: tenant.id }).then((d) => d.reactivateTenant), 'Tenant reactivated.')}>
            Reactivate
          </button>
        )}
        <hr />
        <p class="small">
          Deleting erases the tenant's documents, conversations and keys. Type <strong>{tenant.name}</strong> to confirm.
        </p>
        <form
          class="row"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              await api.request(DeleteTenantDocument, { id: tenant.id });
              notify(`Tenant “${tenant.name}” deleted.`);
              onDeleted();
            } catch (err) {
              fail(err);
            }
          }}
        >
          <input aria-label="Tenant name, to confirm deletion" value={confirmName} onInput={(e) => setConfirmName((e.target as HTMLInputElement).value)} />
          <button type="submit" class="danger" disabled={confirmName !== tenant.name}>
            Delete tenant
          </button>
        </form>
      </Card>
    </div>
  );
}
