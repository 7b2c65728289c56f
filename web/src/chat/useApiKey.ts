import { useEffect, useMemo, useState } from 'preact/hooks';
import { QuotaDocument } from '../../../src/contract/operations.generated';
import { Api, ApiError } from '../shared/api';
import { visitorId } from '../shared/visitor';
import { safeGet, safeRemove, safeSet } from './storage';
import type { ChatConfig } from './types';

const KEY_ITEM = 'askdesk.chat.key';

/** The key the chat speaks with: the host page's, or one pasted once and kept in the tab's storage. */
export function useApiKey(config: ChatConfig, keyStorage: Storage | null) {
  const [key, setKey] = useState<string | null>(() => config.apiKey || safeGet(keyStorage, KEY_ITEM));
  // Every chat (page, widget, client package) speaks as this browser's visitor: a publishable key's history is its own.
  const visitor = useMemo(visitorId, []);
  const api = useMemo(() => (key ? new Api(config.endpoint, key, visitor) : null), [config.endpoint, key, visitor]);
  // Kept as the refusal, so its words follow the page's language when the reader switches it.
  const [keyError, setKeyError] = useState<ApiError | null>(null);
  const [checkingKey, setCheckingKey] = useState(false);

  useEffect(() => () => api?.dispose(), [api]);

  async function saveKey(value: string) {
    setCheckingKey(true);
    setKeyError(null);
    try {
      await new Api(config.endpoint, value, visitor).request(QuotaDocument);
    } catch (e) {
      // A wrong key stays on the form; any other refusal (blocked, suspended…) is explained inside the chat.
      if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') {
        setCheckingKey(false);
        setKeyError(e);
        return;
      }
    }
    setCheckingKey(false);
    safeSet(keyStorage, KEY_ITEM, value);
    setKey(value);
  }

  function forgetKey() {
    safeRemove(keyStorage, KEY_ITEM);
    setKey(null);
  }

  return { key, api, keyError, checkingKey, saveKey, forgetKey };
}
