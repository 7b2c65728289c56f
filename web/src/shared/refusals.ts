import { UNREACHABLE, type ApiError } from '../../../src/contract/client';
import { formatDate, translatorOf, type Language } from './i18n';

/*
 * Every page's words for a refusal (the chat, the widget and the client package, the dashboard, the console), chosen
 * by the contract's code (src/errors.ts), then by what the refusal names where that tells more: the field of a
 * BAD_USER_INPUT, the scope of a QUOTA_EXCEEDED, the phrasing another curated answer holds. A code the table does not
 * know shows the server's own message. Keys: `CODE`, `CODE.<field or detail>`, and `CODE.chat` for the chat's staff,
 * who can't change the settings the dashboard's IT team can.
 */
const en = {
  'UNAUTHENTICATED': 'This key is not valid: it may have been revoked, have expired or be mistyped.',
  'UNAUTHENTICATED.chat': 'This key is not valid: it may have been revoked, have expired or be mistyped. Enter another key.',
  'FORBIDDEN': 'This key may not do that.',
  'FORBIDDEN.chat': 'This site is not allowed to use this chat key. Tell your IT department the address of this page: they can add it to the allowed sites in their AskDesk dashboard or ask their AskDesk contact.',
  'TENANT_SUSPENDED': 'Your organisation’s access is suspended. Write to your AskDesk contact.',
  'TENANT_SUSPENDED.chat': 'Your organisation’s access is suspended. Contact your IT department.',
  'RATE_LIMITED': 'Too many requests in a short time. Try again in {n} s.',
  'RATE_LIMITED.chat': 'Too many questions in a short time. You can ask again in {n} s.',
  'RATE_LIMITED.done': 'You can ask again now.',
  'QUOTA_EXCEEDED': 'This month’s questions are used up. The quota resets on {date}.',
  'QUOTA_EXCEEDED.VISITOR': 'You have asked as many questions as one person may today. You can ask again from {date}.',
  'BLOCKED': 'Access is blocked for abuse until {date}.',
  'NOT_FOUND': 'This is not there any more: it may have been removed meanwhile. Reload the page.',
  'NOT_FOUND.chat': 'This conversation is not there any more. Start a new one.',
  'NOT_FOUND.documentIds': 'A cited document is not there any more: it may have been removed meanwhile. Choose the documents again.',
  'BAD_USER_INPUT': 'The server refused a value entered here. Check the form and try again.',
  'BAD_USER_INPUT.taken': '“{phrasing}” is already a phrasing of another curated answer: add to or edit that one instead.',
  'BAD_USER_INPUT.questions': 'Check the questions: at least one phrasing, each of reasonable length, and not too many.',
  'BAD_USER_INPUT.answer': 'The approved answer is empty or too long.',
  'BAD_USER_INPUT.documentIds': 'Too many cited documents: choose fewer.',
  'BAD_USER_INPUT.csv': 'This file is not a CSV of curated answers as the export writes it, or it holds too many rows.',
  'BAD_USER_INPUT.question': 'The question is empty or too long.',
  'BAD_USER_INPUT.query': 'The test question is empty or too long.',
  'BAD_USER_INPUT.name': 'The name is empty or too long.',
  'BAD_USER_INPUT.graceSeconds': 'The grace period must be between 0 s and 30 days.',
  'BAD_USER_INPUT.kind': 'Your organisation already holds its 3 active secret keys: revoke or rotate one first.',
  'BAD_USER_INPUT.plan': 'Your plan allows no more active publishable keys: revoke or rotate one first.',
  'BAD_USER_INPUT.title': 'A document title must be 1 to 500 characters.',
  'BAD_USER_INPUT.content': 'A document is empty or too large.',
  'BAD_USER_INPUT.mimeType': 'Only text, Markdown and HTML files can be added.',
  'BAD_USER_INPUT.documents': 'Too many documents at once: send fewer files.',
  'BAD_USER_INPUT.from': 'The start of the period must come before its end.',
  'BAD_USER_INPUT.to': 'This period is too long for this view.',
  'QUERY_TOO_COMPLEX': 'The request was too large for the server. Reload the page; if it happens again, tell your AskDesk contact.',
  'PROTOCOL': 'This page and the server do not understand each other: the page may be out of date. Reload it.',
  'UPSTREAM_UNAVAILABLE': 'The service is unavailable right now; nothing was charged. Try again in a moment.',
  'INTERNAL_SERVER_ERROR': 'Something went wrong on the server. Try again; if it happens again, tell your AskDesk contact the code shown here.',
  'UNREACHABLE': 'The server could not be reached. Check your connection and try again.',
  'row': 'CSV row {row}: {text}',
};

type RefusalKey = keyof typeof en;

const fr: Record<RefusalKey, string> = {
  'UNAUTHENTICATED': 'Cette clé n’est pas valable : elle a peut-être été révoquée, a expiré ou est mal saisie.',
  'UNAUTHENTICATED.chat': 'Cette clé n’est pas valable : elle a peut-être été révoquée, a expiré ou est mal saisie. Saisissez une autre clé.',
  'FORBIDDEN': 'Cette clé ne permet pas de le faire.',
  'FORBIDDEN.chat': 'Ce site n’est pas autorisé à utiliser cette clé de chat. Indiquez l’adresse de cette page à votre service informatique : il peut l’ajouter aux sites autorisés auprès de son contact AskDesk.',
  'TENANT_SUSPENDED': 'L’accès de votre établissement est suspendu. Écrivez à votre contact AskDesk.',
  'TENANT_SUSPENDED.chat': 'L’accès de votre établissement est suspendu. Contactez votre service informatique.',
  'RATE_LIMITED': 'Trop de requêtes en peu de temps. Réessayez dans {n} s.',
  'RATE_LIMITED.chat': 'Trop de questions en peu de temps. Vous pourrez reposer une question dans {n} s.',
  'RATE_LIMITED.done': 'Vous pouvez reposer une question.',
  'QUOTA_EXCEEDED': 'Les questions de ce mois sont épuisées. Le quota repart le {date}.',
  'QUOTA_EXCEEDED.VISITOR': 'Vous avez posé aujourd’hui autant de questions qu’une personne le peut. Vous pourrez en poser d’autres à partir du {date}.',
  'BLOCKED': 'Accès bloqué pour abus jusqu’au {date}.',
  'NOT_FOUND': 'Cet élément n’existe plus : il a peut-être été retiré entre-temps. Rechargez la page.',
  'NOT_FOUND.chat': 'Cette conversation n’existe plus. Commencez-en une nouvelle.',
  'NOT_FOUND.documentIds': 'Un document cité n’existe plus : il a peut-être été retiré entre-temps. Choisissez à nouveau les documents.',
  'BAD_USER_INPUT': 'Le serveur a refusé une valeur saisie ici. Vérifiez le formulaire et réessayez.',
  'BAD_USER_INPUT.taken': '« {phrasing} » est déjà une formulation d’une autre réponse validée : complétez ou modifiez plutôt celle-ci.',
  'BAD_USER_INPUT.questions': 'Vérifiez les questions : au moins une formulation, chacune de longueur raisonnable, et pas trop nombreuses.',
  'BAD_USER_INPUT.answer': 'La réponse validée est vide ou trop longue.',
  'BAD_USER_INPUT.documentIds': 'Trop de documents cités : choisissez-en moins.',
  'BAD_USER_INPUT.csv': 'Ce fichier n’est pas un CSV de réponses validées tel que l’export l’écrit, ou il compte trop de lignes.',
  'BAD_USER_INPUT.question': 'La question est vide ou trop longue.',
  'BAD_USER_INPUT.query': 'La question de test est vide ou trop longue.',
  'BAD_USER_INPUT.name': 'Le nom est vide ou trop long.',
  'BAD_USER_INPUT.graceSeconds': 'Le délai de grâce doit être compris entre 0 s et 30 jours.',
  'BAD_USER_INPUT.kind': 'Votre établissement détient déjà ses 3 clés secrètes actives : révoquez-en ou renouvelez-en une d’abord.',
  'BAD_USER_INPUT.plan': 'Votre offre ne permet pas d’autre clé publiable active : révoquez-en ou renouvelez-en une d’abord.',
  'BAD_USER_INPUT.title': 'Le titre d’un document doit compter de 1 à 500 caractères.',
  'BAD_USER_INPUT.content': 'Un document est vide ou trop volumineux.',
  'BAD_USER_INPUT.mimeType': 'Seuls les fichiers texte, Markdown et HTML peuvent être ajoutés.',
  'BAD_USER_INPUT.documents': 'Trop de documents à la fois : envoyez moins de fichiers.',
  'BAD_USER_INPUT.from': 'Le début de la période doit précéder sa fin.',
  'BAD_USER_INPUT.to': 'Cette période est trop longue pour cette vue.',
  'QUERY_TOO_COMPLEX': 'La requête était trop lourde pour le serveur. Rechargez la page ; si cela se reproduit, prévenez votre contact AskDesk.',
  'PROTOCOL': 'Cette page et le serveur ne se comprennent pas : la page n’est peut-être plus à jour. Rechargez-la.',
  'UPSTREAM_UNAVAILABLE': 'Le service est momentanément indisponible ; rien n’a été décompté. Réessayez dans un instant.',
  'INTERNAL_SERVER_ERROR': 'Une erreur s’est produite sur le serveur. Réessayez ; si cela se reproduit, indiquez à votre contact AskDesk le code affiché ici.',
  'UNREACHABLE': 'Le serveur est injoignable. Vérifiez votre connexion et réessayez.',
  'row': 'Ligne {row} du CSV : {text}',
};

const dictionaries = { en, fr };

// Codes of requests the server could not run as sent: for a page, a sign that it is older than the server.
const PROTOCOL_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

/** Where a refusal shows: the chat (staff) or a panel of the dashboard and the console (the IT team, the operator). */
export type RefusalPlace = 'chat' | 'panel';

/**
 * The code a page reads a refusal by. Something other than the server answered (HTTP_<status>, say a proxy's error
 * page): a 5xx reads as the service being unavailable for now, anything else as the server not being reached.
 */
export function shownCode(code: string): string {
  if (!code.startsWith('HTTP_')) return code;
  return code.startsWith('HTTP_5') ? 'UPSTREAM_UNAVAILABLE' : UNREACHABLE;
}

/** What the refusal names beyond its code, for the reader who reports it (the field of a BAD_USER_INPUT). */
export function refusalDetail(error: ApiError): string {
  const field = error.extensions.field;
  return typeof field === 'string' ? `${shownCode(error.code)} · ${field}` : shownCode(error.code);
}

/**
 * A refusal in the page's language. `vars` override what the refusal itself gives ({n}: the seconds of a rate limit;
 * the chat puts a placeholder there, to show a ticking countdown in the sentence).
 */
export function refusalText(error: ApiError, language: Language, place: RefusalPlace = 'panel', vars: Record<string, string | number> = {}): string {
  const t = translatorOf(dictionaries, language);
  const x = error.extensions;
  const key = refusalKey(error, place);
  if (!key) return error.message;
  const text = t(key, {
    n: Math.max(1, Math.ceil(Number(x.retryAfter) || 1)),
    // The visitor cap resets the next UTC day, so its time matters; the monthly quota's date is enough.
    date: formatDate(x.until ?? x.resetsAt, language, key !== 'QUOTA_EXCEEDED'),
    phrasing: String(x.phrasing ?? ''),
    ...vars,
  });
  return typeof x.row === 'number' ? t('row', { row: x.row, text }) : text;
}

/** The most telling key the table holds for this refusal, or null when it knows none. */
function refusalKey(error: ApiError, place: RefusalPlace): RefusalKey | null {
  const code = shownCode(error.code);
  const x = error.extensions;
  // The field of a document's refusal names the document too (documents[2].content): its last part is the field.
  const field = typeof x.field === 'string' ? x.field.split('.').pop()! : null;
  const candidates = [
    place === 'chat' ? `${code}.chat` : null,
    code === 'BAD_USER_INPUT' && x.phrasing !== undefined ? 'BAD_USER_INPUT.taken' : null,
    code === 'QUOTA_EXCEEDED' && x.scope === 'VISITOR' ? 'QUOTA_EXCEEDED.VISITOR' : null,
    field ? `${code}.${field}` : null,
    PROTOCOL_CODES.has(code) ? 'PROTOCOL' : code,
  ];
  return (candidates.find((k) => k !== null && Object.prototype.hasOwnProperty.call(en, k)) as RefusalKey | undefined) ?? null;
}

/** The chat's sentence once a rate limit has run out. */
export function rateLimitOver(language: Language): string {
  return translatorOf(dictionaries, language)('RATE_LIMITED.done');
}
