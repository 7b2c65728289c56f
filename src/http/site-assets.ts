/**
 * The small assets of the server's own pages (/ and /status): one stylesheet in the look of the chat page (its
 * colours, font and speech-bubble mark), and the favicon, that speech bubble as SVG. Kept as text here: the pages
 * are rendered by the server, with no build step, and a strict CSP forbids inline styles.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1f6f8b"/><rect x="8" y="9" width="16" height="10" rx="2.5" fill="#fff"/><path d="M11 18.5v5.5l5-5.5z" fill="#fff"/></svg>`;

export const SITE_CSS = `:root {
  --ad-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  --ad-bg: #f5f7f9; --ad-surface: #ffffff; --ad-text: #1d2733; --ad-muted: #5b6877; --ad-border: #dde3ea;
  --ad-accent: #1f6f8b; --ad-accent-soft: #e6f1f5; --ad-danger: #a3312a; --ad-danger-soft: #fbeceb;
  --ad-ok: #2e6b3a; --ad-ok-soft: #e8f4ea; --ad-warn: #7a5200; --ad-warn-soft: #fdf3dc; --ad-focus: #f0b429;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--ad-bg); color: var(--ad-text); font: 16px/1.5 var(--ad-font); }
a { color: var(--ad-accent); }
:focus-visible { outline: 3px solid var(--ad-focus); outline-offset: 2px; }
.site-header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap;
  padding: 0.75rem 1.25rem; background: var(--ad-surface); border-bottom: 1px solid var(--ad-border); }
.brand { display: flex; align-items: center; gap: 0.75rem; color: inherit; text-decoration: none; }
.mark { width: 36px; height: 36px; flex: none; }
.brand-name { font-size: 1.15rem; font-weight: 600; }
.languages { display: flex; gap: 0.25rem; margin: 0; padding: 0; list-style: none; }
.languages a { display: inline-block; padding: 0.3rem 0.6rem; border: 1px solid var(--ad-border); border-radius: 8px;
  text-decoration: none; color: var(--ad-text); background: var(--ad-surface); font-size: 0.9rem; }
.languages a[aria-current="true"] { background: var(--ad-accent); border-color: var(--ad-accent); color: #fff; font-weight: 600; }
main { max-width: 44rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.5rem 0 0.25rem; }
.lead { color: var(--ad-muted); margin: 0 0 1.5rem; }
.cards { display: grid; gap: 0.75rem; margin: 0; padding: 0; list-style: none; }
.card { display: block; padding: 1rem 1.1rem; background: var(--ad-surface); border: 1px solid var(--ad-border);
  border-radius: 10px; color: inherit; text-decoration: none; }
.card:hover { border-color: var(--ad-accent); }
.card strong { display: block; color: var(--ad-accent); font-size: 1.05rem; }
.card span { color: var(--ad-muted); }
.card code { font-size: 0.9rem; }
.summary { display: flex; align-items: center; gap: 0.6rem; padding: 0.9rem 1.1rem; border-radius: 10px; font-weight: 600; margin: 1rem 0; }
.parts { margin: 0; padding: 0; list-style: none; background: var(--ad-surface); border: 1px solid var(--ad-border); border-radius: 10px; }
.part { display: flex; justify-content: space-between; align-items: center; gap: 1rem; padding: 0.85rem 1.1rem; }
.part + .part { border-top: 1px solid var(--ad-border); }
.part-name { font-weight: 600; }
.part-name small { display: block; font-weight: 400; color: var(--ad-muted); font-size: 0.85rem; }
.state { display: inline-flex; align-items: center; gap: 0.4rem; padding: 0.2rem 0.7rem; border-radius: 999px; font-size: 0.9rem; font-weight: 600; white-space: nowrap; }
.state::before { content: ''; width: 0.6rem; height: 0.6rem; background: currentColor; }
.up { background: var(--ad-ok-soft); color: var(--ad-ok); }
.up::before { border-radius: 50%; }
.degraded { background: var(--ad-warn-soft); color: var(--ad-warn); }
.degraded::before { transform: rotate(45deg); }
.down { background: var(--ad-danger-soft); color: var(--ad-danger); }
.foot { color: var(--ad-muted); font-size: 0.9rem; margin-top: 1.25rem; }
@media (max-width: 30rem) { h1 { font-size: 1.35rem; } .part { flex-wrap: wrap; } }
`;
