import type { Health, PartState } from './health';
import { overall } from './health';
import type { PageLanguage } from './page-language';

/**
 * The server's own pages, rendered here in French or English: `/`, the first contact (where the chat, the console
 * and the API are), and `/status`, what a client is sent to when the service does not answer. Plain HTML with no
 * script, so they work even when the pages' build or the API is broken.
 */
const TEXT = {
  en: {
    tagline: 'IT support answers from your organisation’s own documents.',
    homeTitle: 'Welcome to AskDesk',
    chat: ['Chat', 'Ask your IT questions with the access key your IT department gave you.'],
    admin: ['Console', 'For operators: tenants, keys, documents and usage.'],
    dashboard: ['Dashboard', 'For your IT team, with a secret key: usage, keys, documents and the questions left unanswered.'],
    api: ['API', 'GraphQL over HTTP (POST) and graphql-ws, for developers:'],
    status: ['Service status', 'Is everything working? Each part of the service, live.'],
    statusTitle: 'AskDesk service status',
    summary: { up: 'Everything is working.', degraded: 'The service works, but some parts are slow or running in a reduced mode.', down: 'The service is disrupted: some requests fail.' },
    state: { up: 'Up', degraded: 'Degraded', down: 'Down' },
    parts: {
      database: ['Database', 'accounts, keys, conversations'],
      retrieval: ['Document search', 'finding the passages an answer draws on'],
      answers: ['Answers', 'writing the answers'],
      limits: ['Limits', 'quotas and rate limits'],
    },
    checked: 'Checked at',
    json: 'For tools: the same in JSON',
    home: 'Home',
    switchTo: 'Language',
  },
  fr: {
    tagline: 'Des réponses de support informatique tirées des documents de votre organisation.',
    homeTitle: 'Bienvenue sur AskDesk',
    chat: ['Assistant', 'Posez vos questions informatiques avec la clé d’accès fournie par votre service informatique.'],
    admin: ['Console', 'Pour les opérateurs : clients, clés, documents et consommation.'],
    dashboard: ['Tableau de bord', 'Pour votre équipe informatique, avec une clé secrète : consommation, clés, documents et questions restées sans réponse.'],
    api: ['API', 'GraphQL sur HTTP (POST) et graphql-ws, pour les développeurs :'],
    status: ['État du service', 'Tout fonctionne-t-il ? Chaque partie du service, en direct.'],
    statusTitle: 'État du service AskDesk',
    summary: { up: 'Tout fonctionne.', degraded: 'Le service fonctionne, mais certaines parties sont lentes ou en mode réduit.', down: 'Le service est perturbé : certaines requêtes échouent.' },
    state: { up: 'Opérationnel', degraded: 'Dégradé', down: 'Hors service' },
    parts: {
      database: ['Base de données', 'comptes, clés, conversations'],
      retrieval: ['Recherche documentaire', 'trouver les passages sur lesquels s’appuie une réponse'],
      answers: ['Réponses', 'rédaction des réponses'],
      limits: ['Limites', 'quotas et limites de débit'],
    },
    checked: 'Vérifié à',
    json: 'Pour les outils : la même chose en JSON',
    home: 'Accueil',
    switchTo: 'Langue',
  },
} as const;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function layout(lang: PageLanguage, path: string, title: string, body: string): string {
  const t = TEXT[lang];
  const switcher = (['fr', 'en'] as const)
    .map((l) => `<li><a href="${path}?lang=${l}" hreflang="${l}" lang="${l}"${l === lang ? ' aria-current="true"' : ''}>${l.toUpperCase()}</a></li>`)
    .join('');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/site.css">
</head>
<body>
<header class="site-header">
<a class="brand" href="/?lang=${lang}" aria-label="AskDesk — ${escape(t.home)}"><svg class="mark" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#1f6f8b"/><rect x="8" y="9" width="16" height="10" rx="2.5" fill="#fff"/><path d="M11 18.5v5.5l5-5.5z" fill="#fff"/></svg><span class="brand-name">AskDesk</span></a>
<nav aria-label="${escape(t.switchTo)}"><ul class="languages">${switcher}</ul></nav>
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

export function homePage(lang: PageLanguage): string {
  const t = TEXT[lang];
  const card = (href: string, [name, what]: readonly [string, string], extra = '') =>
    `<li><a class="card" href="${href}"><strong>${escape(name)}</strong><span>${escape(what)}${extra}</span></a></li>`;
  return layout(
    lang,
    '/',
    'AskDesk',
    `<h1>${escape(t.homeTitle)}</h1>
<p class="lead">${escape(t.tagline)}</p>
<ul class="cards">
${card('/chat', t.chat)}
${card('/dashboard', t.dashboard)}
${card('/admin', t.admin)}
${card('/graphql', t.api, ' <code>/graphql</code>')}
${card(`/status?lang=${lang}`, t.status)}
</ul>`,
  );
}

export function statusPage(lang: PageLanguage, health: Health, checkedAt: Date): string {
  const t = TEXT[lang];
  const whole = overall(health);
  const badge = (state: PartState) => `<span class="state ${state}">${escape(t.state[state])}</span>`;
  const parts = (Object.keys(t.parts) as (keyof Health)[])
    .map((part) => {
      const [name, what] = t.parts[part];
      return `<li class="part" data-part="${part}"><span class="part-name">${escape(name)}<small>${escape(what)}</small></span>${badge(health[part])}</li>`;
    })
    .join('\n');
  const time = checkedAt.toISOString().replace('T', ' ').slice(0, 19);
  return layout(
    lang,
    '/status',
    t.statusTitle,
    `<h1>${escape(t.statusTitle)}</h1>
<p class="summary ${whole}" role="status">${escape(t.summary[whole])}</p>
<ul class="parts">
${parts}
</ul>
<p class="foot">${escape(t.checked)} <time datetime="${checkedAt.toISOString()}">${time} UTC</time>.<br>
<a href="/status.json">${escape(t.json)}</a></p>`,
  );
}
