const VISITOR_ITEM = 'askdesk.visitor';
// 18 random bytes give 24 base64url characters: inside the contract's 16–128 and too many to guess.
const VISITOR_BYTES = 18;

let fallback: string | null = null;

/**
 * This browser's visitor id, made once and kept in localStorage, so a publishable key's conversations stay with the
 * browser that began them. Where storage is refused (a privacy mode), the id lives as long as the page does.
 */
export function visitorId(): string {
  try {
    const kept = window.localStorage.getItem(VISITOR_ITEM);
    if (kept && /^[A-Za-z0-9_-]{16,128}$/.test(kept)) return kept;
    const made = newVisitorId();
    window.localStorage.setItem(VISITOR_ITEM, made);
    return made;
  } catch {
    fallback ??= newVisitorId();
    return fallback;
  }
}

function newVisitorId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(VISITOR_BYTES));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
