/**
 * Evaluation sets built in the repository, beside the public StackFAQ set: chatty padding of questions (what
 * help-desk users add around them) and a small French set. Everything is deterministic: the padding of a question
 * depends only on a seed and the question's position, so two runs compare like with like.
 */
import type { Language } from '../src/services/text/analyzer';

export interface EvalDoc {
  id: string;
  title: string;
  content: string;
}

export interface EvalQuery {
  query: string;
  relevant: string;
}

/** mulberry32: a tiny seeded generator, enough to pick padding reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PADDING: Record<Language, { greetings: string[]; context: string[]; tried: string[]; errors: string[]; thanks: string[] }> = {
  en: {
    greetings: ['Hi all,', 'Hello everyone,', 'Hey guys, quick question.', 'Good morning,', 'Hi team,'],
    context: [
      'We use Windows 11 at work.',
      'I am on a Dell laptop with Office 365 that IT set up last year.',
      'This is on my work computer, a ThinkPad running Windows 10 with the latest updates.',
      'Our company moved everything to Microsoft Teams and SharePoint recently.',
      'I am not very technical, so sorry if this is a basic question.',
      'It started after the update on Monday, and my colleague has the same thing.',
    ],
    tried: [
      'I have tried everything: restarting, reinstalling, clearing the cache, nothing works.',
      'I already rebooted twice and searched the forums for hours.',
      'I tried the usual things but it keeps happening.',
      'Restarting did not help and neither did logging out and back in.',
    ],
    errors: [
      'Error: 0x80070005 Access is denied.',
      'The log says: "Unexpected error (code 500), please try again later."',
      'I get "Something went wrong. Error code: CAA50021" every time.',
      'Event viewer shows Event ID 1000, faulting module ntdll.dll.',
    ],
    thanks: ['Thanks in advance!', 'Any help would be appreciated.', 'Cheers.', 'Thanks a lot for any ideas!', 'Regards, Sam'],
  },
  fr: {
    greetings: ['Bonjour à tous,', 'Bonjour,', 'Salut, petite question.', "Bonjour l'équipe,"],
    context: [
      'Nous utilisons Windows 11 au travail.',
      "Je suis sur un portable Dell avec Office 365 installé par l'informatique l'an dernier.",
      "Je ne suis pas très douée en informatique, désolée si la question est basique.",
      "Ça a commencé après la mise à jour de lundi, et ma collègue a la même chose.",
    ],
    tried: [
      "J'ai tout essayé : redémarrer, réinstaller, vider le cache, rien ne marche.",
      "J'ai déjà redémarré deux fois et cherché sur les forums pendant des heures.",
      'Le redémarrage n’a rien changé, la déconnexion non plus.',
    ],
    errors: [
      'Erreur : 0x80070005 Accès refusé.',
      'Le message dit : « Une erreur inattendue est survenue (code 500), réessayez plus tard. »',
      "J'ai « Un problème est survenu. Code d'erreur : CAA50021 » à chaque fois.",
    ],
    thanks: ["Merci d'avance !", 'Toute aide est la bienvenue.', 'Cordialement, Sam', 'Merci beaucoup pour vos idées !'],
  },
};

/**
 * The question wrapped the way forum users write: a greeting, some context (often naming products that are not the
 * subject), the question, what was tried, a pasted error line, thanks. Each part is present or not by the seed.
 */
export function padQuery(query: string, index: number, lang: Language, seed = 12): string {
  const random = seededRandom(seed * 1_000_003 + index);
  const pick = (list: string[]) => list[Math.floor(random() * list.length)];
  const p = PADDING[lang];
  const parts = [pick(p.greetings)];
  if (random() < 0.8) parts.push(pick(p.context));
  parts.push(query);
  if (random() < 0.7) parts.push(pick(p.tried));
  if (random() < 0.5) parts.push(pick(p.errors));
  parts.push(pick(p.thanks));
  return parts.join(' ');
}

/** A small French IT-support set: each question is a paraphrase that shares few words with its document's title. */
export const FRENCH_DOCS: EvalDoc[] = [
  { id: 'fr01', title: 'Réinitialiser son mot de passe Windows', content: "Ouvrez le portail libre-service depuis un poste du réseau, saisissez votre matricule et répondez aux questions de sécurité. Le nouveau mot de passe doit contenir au moins 12 caractères, dont un chiffre." },
  { id: 'fr02', title: 'Compte verrouillé après plusieurs tentatives', content: "Après cinq tentatives échouées, le compte est bloqué pendant 30 minutes. Le service d'assistance peut le débloquer plus tôt au poste 4242 après vérification de votre identité." },
  { id: 'fr03', title: 'Se connecter au VPN depuis chez soi', content: "Installez le client GlobalProtect depuis le centre logiciel, entrez l'adresse du portail vpn.chu.example et connectez-vous avec votre compte réseau. L'authentification forte passe par l'application Authenticator sur votre téléphone." },
  { id: 'fr04', title: 'Bourrage papier sur les imprimantes multifonctions', content: "Ouvrez le capot avant, retirez délicatement la feuille coincée sans la déchirer, puis refermez le capot. Si le voyant orange reste allumé, éteignez l'appareil une minute." },
  { id: 'fr05', title: 'Ajouter une imprimante réseau', content: "Ouvrez Paramètres, puis Périphériques et Imprimantes, cliquez sur Ajouter et choisissez la file d'impression de votre service, par exemple RADIO-IMP-02 pour la radiologie." },
  { id: 'fr06', title: 'Messagerie sur téléphone mobile', content: "Pour lire vos courriels professionnels sur votre smartphone, installez Outlook depuis le magasin d'applications et connectez-vous avec votre adresse de l'hôpital. Un code de verrouillage de l'écran est obligatoire." },
  { id: 'fr07', title: 'Perte ou vol d’un téléphone professionnel', content: "Signalez immédiatement la perte au service d'assistance afin que la messagerie soit effacée à distance. Portez plainte en cas de vol et conservez le récépissé." },
  { id: 'fr08', title: 'Partager un dossier avec son équipe', content: "Dans l'explorateur, faites un clic droit sur le dossier, choisissez Propriétés puis Partage et ajoutez le groupe de votre service. Les droits en écriture se demandent par un ticket." },
  { id: 'fr09', title: 'Visioconférence avec Teams', content: "Pour organiser une réunion à distance, ouvrez le calendrier Teams, créez une nouvelle réunion et invitez les participants. Vérifiez le micro et la caméra dans les paramètres des appareils avant de commencer." },
  { id: 'fr10', title: 'Accès au dossier patient informatisé', content: "L'accès au dossier patient est ouvert par votre cadre de santé via le formulaire d'habilitation. La carte CPS doit être insérée dans le lecteur avant de lancer le logiciel." },
  { id: 'fr11', title: 'Écran noir au démarrage du poste', content: "Vérifiez que le câble vidéo est bien branché et que l'écran est allumé. Si le poste émet des bips au démarrage, notez leur nombre et appelez l'assistance." },
  { id: 'fr12', title: 'Sauvegarde des fichiers personnels', content: "Enregistrez vos fichiers dans votre lecteur réseau H:, sauvegardé chaque nuit. Les fichiers laissés sur le bureau du poste ne sont pas sauvegardés et sont perdus en cas de panne." },
];

export const FRENCH_QUERIES: EvalQuery[] = [
  { query: "J'ai oublié mon mot de passe, comment en choisir un nouveau ?", relevant: 'fr01' },
  { query: 'Combien de caractères faut-il pour le nouveau mot de passe ?', relevant: 'fr01' },
  { query: 'Mon compte est bloqué, je me suis trompée cinq fois', relevant: 'fr02' },
  { query: 'Combien de temps dure le blocage du compte après des erreurs de saisie ?', relevant: 'fr02' },
  { query: 'Comment travailler à distance depuis la maison ?', relevant: 'fr03' },
  { query: 'Où trouver GlobalProtect et quelle adresse de portail saisir ?', relevant: 'fr03' },
  { query: 'Une feuille est coincée dans la photocopieuse', relevant: 'fr04' },
  { query: "Le voyant orange de l'imprimante reste allumé après un bourrage", relevant: 'fr04' },
  { query: "Comment installer l'imprimante de la radiologie sur mon poste ?", relevant: 'fr05' },
  { query: "Je ne vois pas la file d'impression de mon service", relevant: 'fr05' },
  { query: 'Lire mes mails sur mon smartphone', relevant: 'fr06' },
  { query: 'Faut-il un code sur mon téléphone pour recevoir les courriels ?', relevant: 'fr06' },
  { query: "On m'a volé mon portable du travail, que faire ?", relevant: 'fr07' },
  { query: "J'ai perdu mon téléphone, la messagerie peut-elle être effacée ?", relevant: 'fr07' },
  { query: 'Donner accès à un répertoire à mes collègues', relevant: 'fr08' },
  { query: "Comment obtenir les droits d'écriture sur un dossier partagé ?", relevant: 'fr08' },
  { query: 'Organiser une réunion en ligne avec des collègues', relevant: 'fr09' },
  { query: 'Ma caméra ne fonctionne pas en réunion Teams', relevant: 'fr09' },
  { query: "Je n'arrive pas à ouvrir le dossier d'un patient", relevant: 'fr10' },
  { query: "Qui donne l'habilitation pour le DPI, et faut-il la carte CPS ?", relevant: 'fr10' },
  { query: "Mon ordinateur s'allume mais rien ne s'affiche", relevant: 'fr11' },
  { query: 'Le PC fait des bips et l’écran reste noir', relevant: 'fr11' },
  { query: 'Mes documents sont-ils sauvegardés si je les laisse sur le bureau ?', relevant: 'fr12' },
  { query: 'Où enregistrer mes fichiers pour ne pas les perdre ?', relevant: 'fr12' },
];

/**
 * Questions no IT-support corpus should claim to answer, 15 in English then 15 in French; some share an everyday
 * word with IT documents ("open", "account", "save"). Used by the eval and by tests/answer-quality.test.ts.
 */
export const OFF_TOPIC = [
  'What is the capital of Peru?',
  'Write me a poem about the sea.',
  'How do I bake sourdough bread at home?',
  'Who won the football world cup in 1998?',
  'How many calories are in a banana?',
  'What is the best way to learn to play the guitar?',
  'When did the Roman empire fall?',
  'How do I open a savings account at my bank?',
  'Can my dog eat chocolate?',
  'What is the population of Tokyo?',
  'Tell me a joke about cats.',
  'Which planets have rings?',
  'How long should I boil an egg?',
  'What time does the post office close on Saturday?',
  'Recommend a good film for tonight.',
  'Quelle est la capitale du Pérou ?',
  'Écris-moi un poème sur la mer.',
  'Comment faire une pâte à crêpes sans grumeaux ?',
  'Quel temps fera-t-il demain à Lyon ?',
  'Combien de temps faut-il cuire des pâtes ?',
  'Qui a écrit Les Misérables ?',
  'Comment planter des tomates dans mon jardin ?',
  'Quels sont les horaires de la piscine municipale ?',
  'Comment réparer une chambre à air de vélo ?',
  'Où partir en vacances cet été en famille ?',
  'Quelle est la meilleure saison pour visiter le Japon ?',
  'Comment apprendre à nager à un enfant ?',
  'Pourquoi le ciel est-il bleu ?',
  'Raconte-moi une blague sur les chats.',
  'Quel est le meilleur vin pour accompagner un fromage ?',
];
