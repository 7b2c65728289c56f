import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { DashboardTenantDocument } from '../../../src/contract/operations.generated';
import { KeyForm } from '../chat/KeyForm';
import { safeGet, safeRemove, safeSet, sessionStorageOrNull } from '../chat/storage';
import { useExport } from '../chat/useExport';
import { useLanguage } from '../chat/useLanguage';
import { ExportBox } from '../chat/ExportBox';
import { Api, ApiError, asApiError, UNREACHABLE } from '../shared/api';
import { CuratedAnswersPanel, useCuratedDraft } from '../shared/CuratedAnswersPanel';
import { DocumentsPanel } from '../shared/DocumentsPanel';
import { GapsPanel } from '../shared/GapsPanel';
import type { Language } from '../shared/i18n';
import { Messages, useMessages } from '../shared/Messages';
import { refusalText } from '../shared/refusals';
import { KeysPanel } from '../shared/KeysPanel';
import { panelTranslator } from '../shared/panel-i18n';
import { Card, formatCents } from '../shared/ui';
import { HelpPanel } from './HelpPanel';
import { PlanPanel } from './PlanPanel';
import { dashboardText, type Text, type TextKey } from './text';
import type { Tenant } from './types';
import { UsagePanel } from './UsagePanel';

const KEY_ITEM = 'askdesk.dashboard.key';
const SECTIONS: [id: string, label: TextKey][] = [
  ['plan', 'nav.overview'],
  ['usage', 'nav.usage'],
  ['keys', 'nav.keys'],
  ['documents', 'nav.documents'],
  ['gaps', 'nav.gaps'],
  ['curated', 'nav.curated'],
  ['export', 'nav.export'],
  ['troubleshooting', 'nav.help'],
];

/** Why a key can't open the dashboard, in the reader's words; null when it can. */
function refusalOf(err: ApiError, key: string, text: Text, language: Language): string {
  if (err.code === UNREACHABLE) return refusalText(err, language);
  if (key.startsWith('pk_')) return text('login.publishable');
  if (key.startsWith('sk_admin_')) return text('login.admin');
  return refusalText(err, language);
}

/**
 * The client's IT team's page: its own tenant through a secret key — plan and quota, usage, keys, documents, the
 * questions left unanswered and the curated answers that answer them, the export and the chat's troubleshooting
 * guide. Every call leaves tenantId out, so the server uses the key's tenant.
 */
export function DashboardApp({ endpoint }: { endpoint: string }) {
  const { language, t: chatText, switchLanguage } = useLanguage(undefined, true);
  const text = useMemo(() => dashboardText(language), [language]);
  const t = useMemo(() => panelTranslator(language), [language]);
  const [key, setKey] = useState<string | null>(() => safeGet(sessionStorageOrNull(), KEY_ITEM));
  const api = useMemo(() => (key ? new Api(endpoint, key) : null), [endpoint, key]);
  const [tenant, setTenant] = useState<Tenant | null>(null);
  // Kept as the refusal and the key it refused, so its words follow the page's language when the reader switches it.
  const [loginRefusal, setLoginRefusal] = useState<{ error: ApiError; key: string } | null>(null);
  const [checking, setChecking] = useState(false);
  const messages = useMessages();
  const { fail, notify } = messages;
  const exporter = useExport(api, fail);
  const curated = useCuratedDraft();

  const load = useCallback(() => {
    api?.request(DashboardTenantDocument).then((d) => setTenant(d.me), (e) => {
      // A key that stopped working (revoked, rotated past its grace) sends the reader back to the sign-in form.
      if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') signOut({ error: e, key: '' });
      else fail(e);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, fail]);
  useEffect(load, [load]);

  async function signIn(value: string) {
    setChecking(true);
    setLoginRefusal(null);
    try {
      const data = await new Api(endpoint, value).request(DashboardTenantDocument);
      safeSet(sessionStorageOrNull(), KEY_ITEM, value);
      setTenant(data.me);
      setKey(value);
    } catch (e) {
      setLoginRefusal({ error: asApiError(e), key: value });
    } finally {
      setChecking(false);
    }
  }

  function signOut(reason: { error: ApiError; key: string } | null = null) {
    safeRemove(sessionStorageOrNull(), KEY_ITEM);
    setKey(null);
    setTenant(null);
    setLoginRefusal(reason);
  }

  const languageButton = (
    <button
      type="button"
      class="lang"
      data-testid="language"
      onClick={switchLanguage}
      lang={language === 'fr' ? 'en' : 'fr'}
      aria-label={`${chatText('language.label')}: ${language === 'fr' ? 'Français' : 'English'} → ${language === 'fr' ? 'English' : 'Français'}`}
    >
      {language === 'fr' ? 'EN' : 'FR'}
    </button>
  );

  if (!api) {
    return (
      <div class="login">
        <div class="login-lang">{languageButton}</div>
        <KeyForm
          t={chatText}
          error={loginRefusal && refusalOf(loginRefusal.error, loginRefusal.key, text, language)}
          refusal={loginRefusal?.error}
          busy={checking}
          onSave={signIn}
          ids={{ input: 'dashboard-key', button: 'dashboard-login' }}
          title={text('login.title')}
          label={text('login.label')}
          help={text('login.help')}
        />
      </div>
    );
  }

  const props = { api, fail, notify, t };
  const extraKey = tenant?.plan.extraKeyPriceCents;
  return (
    <div class="console dashboard">
      <header class="topbar">
        <span class="brand">
          <span class="logo" aria-hidden="true" /> {tenant?.name ?? 'AskDesk'} <span class="muted">{text('title')}</span>
        </span>
        <nav aria-label={text('title')}>
          {SECTIONS.map(([id, label]) => (
            <a key={id} href={`#${id}`}>
              {text(label)}
            </a>
          ))}
        </nav>
        {languageButton}
        <button type="button" class="link" onClick={() => signOut()}>
          {text('signOut')}
        </button>
      </header>
      <Messages messages={messages} dismissLabel={text('dismiss')} language={language} />
      {!tenant ? (
        <main class="content">
          <p class="muted">{text('loading')}</p>
        </main>
      ) : (
        <main class="content stack">
          <div class="grid-2 wide-right">
            <PlanPanel tenant={tenant} text={text} language={language} />
            <UsagePanel {...props} text={text} slug={tenant.slug} />
          </div>
          <div id="keys">
            <KeysPanel
              {...props}
              tenantId={null}
              keys={tenant.keys}
              onChanged={load}
              rules={
                <ul class="rules small">
                  <li>{extraKey ? text('rules.extra', { price: formatCents(extraKey, 'EUR', language) }) : text('rules.single')}</li>
                  <li>{text('rules.secret')}</li>
                </ul>
              }
            />
          </div>
          <div id="documents">
            <DocumentsPanel {...props} tenantId={null} onChanged={load} canEdit={tenant.documentSelfService} readOnlyNote={text('docs.readOnly')} />
          </div>
          <div id="gaps">
            <GapsPanel {...props} tenantId={null} onAnswer={curated.answer} curatedChanges={curated.changes} />
          </div>
          <div id="curated">
            <CuratedAnswersPanel {...props} tenantId={null} tenant={tenant} drafts={curated} />
          </div>
          <Card title={text('export.title')} id="export">
            <p class="muted small">{text('export.help')}</p>
            <ExportBox t={chatText} exporter={exporter} label={text('export.label')} />
          </Card>
          <HelpPanel text={text} language={language} />
        </main>
      )}
    </div>
  );
}
