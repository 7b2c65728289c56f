export type Language = 'en' | 'fr';

const en = {
  'key.title': 'Sign in with your access key',
  'key.help': 'Paste the key your IT department gave you. It stays in this browser tab only.',
  'key.label': 'Access key',
  'key.save': 'Continue',
  'key.change': 'Change key',
  'quota.left': 'questions left this month',
  'quota.short': 'left',
  'quota.unlimited': 'Unlimited questions',
  'conversations.title': 'Conversations',
  'conversations.new': 'New conversation',
  'conversations.empty': 'No conversations yet.',
  'conversations.toggle': 'Conversations',
  'export.label': 'Export my conversations',
  'export.format': 'Export format',
  'ask.label': 'Your question',
  'ask.placeholder': 'Ask an IT question…',
  'ask.hint': 'Enter sends · Shift+Enter for a new line',
  'ask.send': 'Send',
  'ask.sending': 'Answering…',
  'empty.title': 'How can we help?',
  'empty.body': 'Ask about the VPN, passwords, printers, software… Answers come from your organisation’s IT documents, with their sources.',
  'answer.sources': 'Sources',
  'answer.ungrounded': 'Not found in the documentation — contact the service desk.',
  'answer.you': 'You',
  'answer.assistant': 'Assistant',
  'rate.up': 'Helpful answer',
  'rate.down': 'Unhelpful answer',
  'rate.thanks': 'Thanks for your feedback.',
  'error.status': 'See the service status',
  'error.retry': 'Retry',
  'error.dismiss': 'Dismiss',
  'language.label': 'Language',
  'chat.title': 'IT support assistant',
  'widget.open': 'Open the IT assistant',
  'widget.close': 'Close',
};

type Key = keyof typeof en;

const fr: Record<Key, string> = {
  'key.title': 'Connectez-vous avec votre clé d’accès',
  'key.help': 'Collez la clé fournie par votre service informatique. Elle reste dans cet onglet uniquement.',
  'key.label': 'Clé d’accès',
  'key.save': 'Continuer',
  'key.change': 'Changer de clé',
  'quota.left': 'questions restantes ce mois-ci',
  'quota.short': 'restantes',
  'quota.unlimited': 'Questions illimitées',
  'conversations.title': 'Conversations',
  'conversations.new': 'Nouvelle conversation',
  'conversations.empty': 'Aucune conversation pour l’instant.',
  'conversations.toggle': 'Conversations',
  'export.label': 'Exporter mes conversations',
  'export.format': 'Format d’export',
  'ask.label': 'Votre question',
  'ask.placeholder': 'Posez une question informatique…',
  'ask.hint': 'Entrée envoie · Maj+Entrée pour un saut de ligne',
  'ask.send': 'Envoyer',
  'ask.sending': 'Réponse en cours…',
  'empty.title': 'Comment pouvons-nous aider ?',
  'empty.body': 'Posez vos questions sur le VPN, les mots de passe, les imprimantes, les logiciels… Les réponses viennent de la documentation informatique de votre établissement, avec leurs sources.',
  'answer.sources': 'Sources',
  'answer.ungrounded': 'Introuvable dans la documentation — contactez le support.',
  'answer.you': 'Vous',
  'answer.assistant': 'Assistant',
  'rate.up': 'Réponse utile',
  'rate.down': 'Réponse inutile',
  'rate.thanks': 'Merci pour votre avis.',
  'error.status': 'Voir l’état du service',
  'error.retry': 'Réessayer',
  'error.dismiss': 'Fermer',
  'language.label': 'Langue',
  'chat.title': 'Assistant informatique',
  'widget.open': 'Ouvrir l’assistant informatique',
  'widget.close': 'Fermer',
};

const dictionaries: Record<Language, Record<Key, string>> = { en, fr };

export type Translate = (key: Key, vars?: Record<string, string | number>) => string;

/** A translate function over any page's pair of dictionaries: `{name}` in a text is replaced by `vars.name`. */
export function translatorOf<K extends string>(dictionaries: Record<Language, Record<K, string>>, language: Language) {
  return (key: K, vars: Record<string, string | number> = {}): string =>
    dictionaries[language][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

export function translator(language: Language): Translate {
  return translatorOf(dictionaries, language);
}

/** The configured language, else the browser's first preference: French for any fr-*, English otherwise. */
export function initialLanguage(configured?: string): Language {
  const wanted = configured || navigator.languages?.[0] || navigator.language || 'en';
  return wanted.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

export function formatDate(iso: unknown, language: Language, withTime = false): string {
  const date = new Date(String(iso));
  if (Number.isNaN(date.getTime())) return String(iso ?? '');
  return date.toLocaleString(language === 'fr' ? 'fr-FR' : 'en-GB', {
    dateStyle: 'long',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: 'UTC',
  }) + (withTime ? ' UTC' : '');
}
