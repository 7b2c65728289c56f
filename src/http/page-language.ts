import type { IncomingMessage } from 'node:http';

export type PageLanguage = 'fr' | 'en';

/**
 * The language of a server page: `?lang=fr|en` (the page's FR/EN switch) when given, else the first of French and
 * English in the browser's Accept-Language by preference, else English.
 */
export function pageLanguage(req: IncomingMessage, url: URL): PageLanguage {
  const chosen = url.searchParams.get('lang');
  if (chosen === 'fr' || chosen === 'en') return chosen;
  const ranked = (req.headers['accept-language'] ?? '')
    .split(',')
    .map((entry, index) => {
      const [tag, ...params] = entry.trim().toLowerCase().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { base: tag.split('-')[0], q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((l) => (l.base === 'fr' || l.base === 'en') && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return (ranked[0]?.base as PageLanguage | undefined) ?? 'en';
}
