import { render } from 'preact';
import { ChatApp } from './ChatApp';
import type { ChatConfig } from './types';

declare global {
  interface Window {
    ASKDESK_CONFIG?: Partial<ChatConfig>;
  }
}

// config.js (loaded before this script) may configure the page: the client package sets endpoint and key there.
// Served by AskDesk itself it sets nothing, and the page talks to the server it came from.
const given = window.ASKDESK_CONFIG ?? {};
const endpoint = given.endpoint || (location.protocol.startsWith('http') ? `${location.origin}/graphql` : '');
const config: ChatConfig = { ...given, endpoint };

render(<ChatApp config={config} keyStorage={window.sessionStorage} ownsDocument />, document.getElementById('app')!);
