/**
 * The chat's troubleshooting guide, written once: the client package's README.md renders it as Markdown and the
 * client's dashboard (/dashboard) as a page section. Plain data, so the page bundle can import it.
 */
export interface TroubleshootingCase {
  /** The anchor the dashboard links to. */
  id: string;
  title: string;
  /** What the chat page shows. */
  shows: string;
  /** What the client's IT team does about it. */
  todo: string;
}

export type GuideLanguage = 'fr' | 'en';

export const TROUBLESHOOTING: Record<GuideLanguage, TroubleshootingCase[]> = {
  fr: [
    {
      id: 'key-refused',
      title: 'Clé refusée ou révoquée',
      shows: '« Cette clé n’est pas valable : elle a peut-être été révoquée, a expiré ou est mal saisie. »',
      todo:
        'La clé de `config.js` (ou du widget) a été révoquée, a expiré, ou a été renouvelée et son délai de grâce est passé. ' +
        'Dans le tableau de bord (`/dashboard`, avec une clé secrète), créez une clé publiable et remplacez `apiKey` dans `config.js` ' +
        '(ou `data-key` du widget), ou demandez un nouveau package à votre contact AskDesk.',
    },
    {
      id: 'quota',
      title: 'Quota du mois épuisé',
      shows: '« Les questions de ce mois sont épuisées. Le quota repart le … »',
      todo:
        'Toutes les questions du mois prévues par votre offre ont été posées ; le service reprend seul le 1er du mois (UTC). ' +
        'Pour continuer avant, demandez à votre contact AskDesk une offre supérieure ou un quota sur mesure. Le tableau de bord montre la consommation jour par jour.',
    },
    {
      id: 'visitor-cap',
      title: 'Limite par visiteur atteinte',
      shows: '« Vous avez posé aujourd’hui autant de questions qu’une personne le peut. Vous pourrez en poser d’autres à partir du … »',
      todo:
        'Votre établissement a une limite de questions par visiteur et par jour (UTC) ; elle repart à minuit UTC. ' +
        'Si elle gêne un usage normal, demandez à votre contact AskDesk de la relever.',
    },
    {
      id: 'rate-limit',
      title: 'Trop de questions en peu de temps',
      shows: '« Trop de questions en peu de temps. Vous pourrez reposer une question dans N s. », avec un compte à rebours.',
      todo:
        'Attendre la fin du compte à rebours suffit. Si cela arrive souvent, toutes les pages de votre établissement partagent le débit de votre offre ' +
        '(questions par minute) : demandez une offre supérieure ou un débit sur mesure.',
    },
    {
      id: 'origin',
      title: 'Site non autorisé',
      shows: '« Ce site n’est pas autorisé à utiliser cette clé de chat. … »',
      todo:
        'Votre établissement a restreint ses clés à certains sites, et la page est servie depuis une autre adresse. ' +
        'Servez-la depuis un site autorisé (la liste est dans le tableau de bord), ou demandez à votre contact AskDesk d’ajouter cette adresse (schéma, nom et port, par exemple `https://intranet.votre-hopital.fr`).',
    },
    {
      id: 'unreachable',
      title: 'Serveur injoignable',
      shows: '« Le serveur est injoignable. Vérifiez votre connexion et réessayez. », avec un bouton Réessayer.',
      todo:
        'Le poste n’atteint pas l’adresse `endpoint` de `config.js`. Vérifiez-la, ainsi que le proxy et le pare-feu de l’établissement ' +
        '(HTTPS et WebSocket vers ce serveur doivent passer) ; l’état du service se lit sur la page `/status` du serveur.',
    },
    {
      id: 'from-disk',
      title: 'Page ouverte depuis le disque',
      shows: 'Ouverte par double-clic (`file://`) alors que votre établissement restreint ses sites, la page affiche « Ce site n’est pas autorisé… ».',
      todo:
        'Une page ouverte depuis le disque n’a pas d’adresse de site (son origine est `null`). Hébergez le dossier sur un serveur intranet autorisé, ' +
        'ou demandez à votre contact AskDesk d’autoriser aussi l’origine `null`.',
    },
  ],
  en: [
    {
      id: 'key-refused',
      title: 'Key refused or revoked',
      shows: '"This key is not valid: it may have been revoked, have expired or be mistyped."',
      todo:
        'The key in `config.js` (or the widget) was revoked, expired, or rotated and its grace period is over. ' +
        'In the dashboard (`/dashboard`, with a secret key) issue a publishable key and replace `apiKey` in `config.js` ' +
        '(or the widget\'s `data-key`), or ask your AskDesk contact for a new package.',
    },
    {
      id: 'quota',
      title: 'Monthly quota used up',
      shows: '"This month\'s questions are used up. The quota resets on …"',
      todo:
        'Every question of your plan\'s month has been asked; the service resumes by itself on the 1st of the month (UTC). ' +
        'To go on before then, ask your AskDesk contact for a larger plan or a custom quota. The dashboard shows usage day by day.',
    },
    {
      id: 'visitor-cap',
      title: 'Per-visitor limit reached',
      shows: '"You have asked as many questions as one person may today. You can ask again from …"',
      todo:
        'Your organisation caps the questions one visitor may ask per (UTC) day; the count starts again at midnight UTC. ' +
        'If it gets in the way of normal use, ask your AskDesk contact to raise it.',
    },
    {
      id: 'rate-limit',
      title: 'Too many questions at once',
      shows: '"Too many questions in a short time. You can ask again in N s.", with a countdown.',
      todo:
        'Waiting for the countdown is enough. If it happens often: every page of your organisation shares your plan\'s rate ' +
        '(questions per minute); ask for a larger plan or a custom rate.',
    },
    {
      id: 'origin',
      title: 'Site not allowed',
      shows: '"This site is not allowed to use this chat key. …"',
      todo:
        'Your organisation restricts its keys to some sites, and the page is served from another address. ' +
        'Serve it from an allowed site (the list is on the dashboard), or ask your AskDesk contact to add this address (scheme, host and port, e.g. `https://intranet.your-hospital.org`).',
    },
    {
      id: 'unreachable',
      title: 'Server unreachable',
      shows: '"The server could not be reached. Check your connection and try again.", with a Retry button.',
      todo:
        'The computer cannot reach the `endpoint` address in `config.js`. Check it, and the organisation\'s proxy and firewall ' +
        '(HTTPS and WebSocket to that server must get through); the service\'s status is on the server\'s `/status` page.',
    },
    {
      id: 'from-disk',
      title: 'Page opened from disk',
      shows: 'Opened by double-click (`file://`) while your organisation restricts its sites, the page shows "This site is not allowed…".',
      todo:
        'A page opened from disk has no site address (its origin is `null`). Host the folder on an allowed intranet server, ' +
        'or ask your AskDesk contact to allow the `null` origin too.',
    },
  ],
};

/** The guide as a Markdown section of the README, in one language. */
export function troubleshootingMarkdown(language: GuideLanguage): string {
  // French typography puts a space before the colon.
  const [shows, todo, colon] = language === 'fr' ? ['La page affiche', 'Que faire', ' :'] : ['The page shows', 'What to do', ':'];
  return TROUBLESHOOTING[language].map((c) => `### ${c.title}\n\n- **${shows}**${colon} ${c.shows}\n- **${todo}**${colon} ${c.todo}\n`).join('\n');
}
