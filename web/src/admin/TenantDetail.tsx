import { useCallback, useEffect, useState } from 'preact/hooks';
import { TenantDocument } from '../../../src/contract/operations.generated';
import { BillingPanel } from './BillingPanel';
import { CuratedAnswersPanel, useCuratedDraft } from '../shared/CuratedAnswersPanel';
import { DocumentsPanel } from '../shared/DocumentsPanel';
import { GapsPanel } from '../shared/GapsPanel';
import { KeysPanel } from '../shared/KeysPanel';
import { InstructionsCard } from './InstructionsCard';
import { EventList } from './EventList';
import { PackagePanel } from './PackagePanel';
import { TenantSettings } from './TenantSettings';
import { TenantUsagePanel } from './TenantUsagePanel';
import type { ConsoleProps, Plan, Tenant } from './types';

/** One tenant on one page: every panel is there at once (the contract's hooks appear as soon as it opens). */
export function TenantDetail(props: ConsoleProps & { id: string; plans: Plan[]; onBack(): void }) {
  const { api, fail, id, plans, onBack } = props;
  const [tenant, setTenant] = useState<Tenant | null>(null);
  const curated = useCuratedDraft();
  const load = useCallback(() => {
    api.request(TenantDocument, { id }).then((d) => (d.tenant ? setTenant(d.tenant) : onBack()), fail);
  }, [api, id, fail, onBack]);
  useEffect(load, [load]);

  if (!tenant) return <p class="muted">Loading…</p>;
  return (
    <div class="stack">
      <div class="detail-head">
        <button type="button" class="link" onClick={onBack}>
          ← All tenants
        </button>
        <h1>{tenant.name}</h1>
        <p class="muted">
          {tenant.slug} · {tenant.contactEmail} · {tenant.plan.name} · {tenant.documentCount} documents
        </p>
        <nav class="jump" aria-label="Sections">
          <a href="#keys">Keys</a>
          <a href="#documents">Documents</a>
          <a href="#curated">Curated answers</a>
          <a href="#gaps">Unanswered</a>
          <a href="#usage">Usage and invoice</a>
          {tenant.billing && <a href="#billing">Billing</a>}
          <a href="#package">Client package</a>
          <a href="#settings">Settings</a>
          <a href="#activity">Activity</a>
        </nav>
      </div>
      <div id="keys">
        <KeysPanel {...props} tenantId={tenant.id} keys={tenant.keys} onChanged={load} canUnblock />
      </div>
      <div id="documents">
        <DocumentsPanel {...props} tenantId={tenant.id} onChanged={load} />
      </div>
      <div id="gaps">
        <GapsPanel {...props} tenantId={tenant.id} onAnswer={curated.answer} curatedChanges={curated.changes} />
      </div>
      <div id="curated" class="stack">
        <CuratedAnswersPanel {...props} tenantId={tenant.id} tenant={tenant} drafts={curated} />
        <InstructionsCard key={tenant.id} {...props} tenant={tenant} onChange={setTenant} />
      </div>
      <div id="usage">
        <TenantUsagePanel {...props} tenant={tenant} />
      </div>
      {tenant.billing && (
        <div id="billing">
          <BillingPanel billing={tenant.billing} />
        </div>
      )}
      <div id="package">
        <PackagePanel {...props} tenant={tenant} onChanged={load} />
      </div>
      <div id="settings">
        <TenantSettings key={tenant.id} {...props} tenant={tenant} plans={plans} onChange={setTenant} onDeleted={onBack} />
      </div>
      <div id="activity" class="grid-2">
        <EventList {...props} kind="ratings" tenantId={tenant.id} />
        <EventList {...props} kind="audit" tenantId={tenant.id} />
        <EventList {...props} kind="abuse" tenantId={tenant.id} />
      </div>
    </div>
  );
}
