// Storage can throw (privacy modes, a sandboxed file:// page); the chat then simply forgets between loads.

export function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export function safeGet(storage: Storage | null, item: string): string | null {
  try {
    return storage?.getItem(item) ?? null;
  } catch {
    return null;
  }
}

export function safeSet(storage: Storage | null, item: string, value: string): void {
  try {
    storage?.setItem(item, value);
  } catch {
    /* forgotten at the next load */
  }
}

export function safeRemove(storage: Storage | null, item: string): void {
  try {
    storage?.removeItem(item);
  } catch {
    /* forgotten at the next load */
  }
}
