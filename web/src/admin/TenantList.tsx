import { useState } from 'preact/hooks';
import { CreateTenantDocument, PlanCode, TenantsDocument, type TenantStatus } from '../../../src/contract/operations.generated';
import { usePaged } from '../shared/usePaged';
import { Card, EmptyRow, FilterSelect, Pager, SearchBox, SecretBox } from '../shared/ui';
import type { ConsoleProps, Plan } from './types';

export function TenantList({ api, fail, notify, plans, onOpen }: ConsoleProps & { plans: Plan[]; onOpen(id: string): void }) {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<TenantStatus | ''>('');
  const list = usePaged(api, TenantsDocument, (d) => d.tenants, { search: search || null, status: status || null }, fail);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [plan, setPlan] = useState<PlanCode>(PlanCode.Starter);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);

  async function create(event: Event) {
    event.preventDefault();
    try {
      const data = await api.request(CreateTenantDocument, { input: { name: name.trim(), contactEmail: email.trim(), plan } });
      const payload = data.createTenant;
      setCreated({ name: payload.tenant.name, secret: payload.apiKey.secret });
      setName('');
      setEmail('');
      notify(`Tenant “${payload.tenant.name}” created.`);
      void list.reload();
    } catch (e) {
      fail(e);
    }
  }

  return (
    <div class="stack">
      <Card title="New tenant">
        <form class="form-grid" onSubmit={create}>
          <label>
            Name
            <input data-testid="tenant-name" required maxLength={200} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            Contact e-mail
            <input data-testid="tenant-email" type="email" required value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            Plan
            <select data-testid="tenant-plan" value={plan} onChange={(e) => setPlan((e.target as HTMLSelectElement).value as PlanCode)}>
              {plans.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name} ({p.monthlyQuota ?? '∞'}/month)
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary" data-testid="create-tenant">
            Create tenant
          </button>
        </form>
        {created && <SecretBox secret={created.secret} note={`First key of “${created.name}” — copy it now, it is not shown again.`} />}
      </Card>
      <Card
        title="Tenants"
        actions={
          <>
            <SearchBox label="Search name, slug or e-mail" onSearch={setSearch} />
            <FilterSelect label="Status" value={status} onChange={(v) => setStatus(v as TenantStatus | '')} options={[['', 'All statuses'], ['ACTIVE', 'Active'], ['SUSPENDED', 'Suspended']]} />
          </>
        }
      >
        <table class="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Contact</th>
              <th>Plan</th>
              <th>Used this month</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {list.page?.nodes.map((t) => (
              <tr key={t.id} data-testid="tenant-row" class="clickable" tabIndex={0} onClick={() => onOpen(t.id)} onKeyDown={(e) => e.key === 'Enter' && onOpen(t.id)}>
                <td>
                  <strong>{t.name}</strong>
                  <div class="muted small">{t.slug}</div>
                </td>
                <td>{t.contactEmail}</td>
                <td>{t.plan.code}</td>
                <td>
                  {t.quota.used} / {t.quota.limit ?? '∞'}
                </td>
                <td>
                  <span class={`badge ${t.status === 'ACTIVE' ? 'ok' : 'warn'}`}>{t.status.toLowerCase()}</span>
                </td>
              </tr>
            ))}
            <EmptyRow list={list} columns={5}>
              No tenant matches.
            </EmptyRow>
          </tbody>
        </table>
        <Pager list={list} />
      </Card>
    </div>
  );
}
