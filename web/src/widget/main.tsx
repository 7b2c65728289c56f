import { render } from 'preact';
import { useState } from 'preact/hooks';
import { ChatApp } from '../chat/ChatApp';
import { initialLanguage, translator } from '../shared/i18n';
import type { ChatConfig } from '../chat/types';

// Read while this script runs: currentScript is null once the page has moved on.
const script = document.currentScript as HTMLScriptElement | null;

function Widget({ config, cssUrl }: { config: ChatConfig; cssUrl: string }) {
  const [open, setOpen] = useState(false);
  const t = translator(initialLanguage(config.language));
  return (
    <>
      <link rel="stylesheet" href={cssUrl} />
      <div class="ad-widget">
        {open && (
          <div class="ad-widget-panel" role="dialog" aria-label={config.name || 'AskDesk'}>
            <button type="button" class="ad-widget-close ad-ghost" aria-label={t('widget.close')} onClick={() => setOpen(false)}>
              ✕
            </button>
            <ChatApp config={config} keyStorage={null} compact />
          </div>
        )}
        <button type="button" class="ad-widget-launcher" data-testid="widget-open" aria-expanded={open} aria-label={t('widget.open')} onClick={() => setOpen(!open)}>
          <span aria-hidden="true">{open ? '✕' : '?'}</span>
        </button>
      </div>
    </>
  );
}

function mount() {
  if (!script) return;
  const data = script.dataset;
  const config: ChatConfig = {
    endpoint: data.endpoint || new URL('/graphql', script.src).href,
    apiKey: data.key,
    name: data.name,
    logoUrl: data.logo,
    language: data.language,
  };
  // An open shadow root keeps the host page's styles and ours apart, and Playwright's locators still reach inside.
  const host = document.createElement('div');
  host.className = 'askdesk-widget-host';
  document.body.appendChild(host);
  const root = host.attachShadow({ mode: 'open' });
  render(<Widget config={config} cssUrl={new URL('chat.css', script.src).href} />, root);
}

if (document.body) mount();
else document.addEventListener('DOMContentLoaded', mount);
