import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { CheckAdminDocument, PlansDocument } from '../../../src/contract/operations.generated';
import { Api, asApiError, type ApiError } from '../shared/api';
import { Messages, useMessages } from '../shared/Messages';
import { translator } from '../shared/i18n';
import { englishPanels } from '../shared/panel-i18n';
import { refusalText } from '../shared/refusals';
import { KeyForm } from '../chat/KeyForm';
import { EventList } from './EventList';
import { ServiceUsage } from './ServiceUsage';
import { TenantDetail } from './TenantDetail';
import { TenantList } from './TenantList';
import type { Plan } from './types';

const KEY_ITEM = 'askdesk.admin.key';
const VIEWS = { tenants: 'Tenants', usage: 'Usage', ratings: 'Ratings', audit: 'Audit log', abuse: 'Abuse' } as const;
type View = keyof typeof VIEWS;

/** The operator's console: everything it does goes through the public GraphQL contract with the admin key. */
export function AdminApp({ endpoint }: { endpoint: string }) {
  const t = useMemo(() => translator('en'), []);
  const [key, setKey] = useState<string | null>(() => sessionStorage.getItem(KEY_ITEM));
  const api = useMemo(() => (key ? new Api(endpoint, key) : null), [endpoint, key]);
  const [loginRefusal, setLoginRefusal] = useState<ApiError | null>(null);
  const [view, setView] = useState<View>('tenants');
  const [tenantId, setTenantId] = useState<string | null>(null);
  const [plans, setPlans] = useState<Plan[]>([]);
  const messages = useMessages();
  const { fail, notify } = messages;

  useEffect(() => {
    api?.request(PlansDocument).then((d) => setPlans(d.plans), fail);
  }, [api, fail]);

  async function login(value: string) {
    setLoginRefusal(null);
    try {
      await new Api(endpoint, value).request(CheckAdminDocument);
      sessionStorage.setItem(KEY_ITEM, value);
      setKey(value);
    } catch (e) {
      setLoginRefusal(asApiError(e));
    }
  }

  function logout() {
    sessionStorage.removeItem(KEY_ITEM);
    setKey(null);
  }

  const openTenant = useCallback((id: string) => {
    setView('tenants');
    setTenantId(id);
    window.scrollTo(0, 0);
  }, []);
  const back = useCallback(() => setTenantId(null), []);

  if (!api) {
    return (
      <div class="login">
        <KeyForm t={t} error={loginRefusal && (loginRefusal.code === 'FORBIDDEN' ? 'This is a client key; the console needs an admin key.' : refusalText(loginRefusal, 'en'))} refusal={loginRefusal} busy={false} onSave={login} ids={{ input: 'admin-key', button: 'login' }} title="AskDesk console" label="Admin key" help="Paste an admin key (sk_admin_…). It is kept in this tab only." />
      </div>
    );
  }

  const props = { api, fail, notify, t: englishPanels };
  return (
    <div class="console">
      <header class="topbar">
        <span class="brand">
          <span class="logo" aria-hidden="true" /> AskDesk <span class="muted">console</span>
        </span>
        <nav aria-label="Console">
          {(Object.keys(VIEWS) as View[]).map((v) => (
            <button key={v} type="button" class={view === v ? 'current' : ''} aria-current={view === v ? 'page' : undefined} onClick={() => (setView(v), setTenantId(null))}>
              {VIEWS[v]}
            </button>
          ))}
        </nav>
        <button type="button" class="link" onClick={logout}>
          Sign out
        </button>
      </header>
      <Messages messages={messages} dismissLabel="Dismiss" />
      <main class="content">
        {view === 'tenants' && (tenantId ? <TenantDetail key={tenantId} {...props} id={tenantId} plans={plans} onBack={back} /> : <TenantList {...props} plans={plans} onOpen={openTenant} />)}
        {view === 'usage' && <ServiceUsage {...props} onOpen={openTenant} />}
        {(view === 'ratings' || view === 'audit' || view === 'abuse') && <EventList key={view} {...props} kind={view} />}
      </main>
    </div>
  );
}
