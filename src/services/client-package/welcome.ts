import { PackageFacts, priceEn, priceFr, quotaEn, quotaFr } from './facts';

/** The welcome message the operator sends the client as it is, French then English (beside the ZIP, not in it). */
export function welcome(f: PackageFacts): string {
  return `Bonjour,

Votre assistant informatique AskDesk pour ${f.tenantName} est prêt.

Votre clé d'accès (confidentielle, ne la partagez pas hors de votre établissement) :
    ${f.apiKey}

Votre offre : ${f.planName} — ${quotaFr(f.monthlyQuota)}, ${f.ratePerMinute} questions par minute au plus,
${priceFr(f.priceCents)} par mois.

Mise en route (5 minutes) :
  1. Décompressez le fichier joint où vous voulez.
  2. Ouvrez chat.html dans votre navigateur : la clé est déjà configurée.
  3. Posez votre première question.
Pour l'installer sur votre intranet ou changer couleurs, nom et logo, voyez README.md.

Support : ${f.supportEmail}

Bien cordialement,
L'équipe AskDesk

----------------------------------------------------------------------------------------------------------

Hello,

Your AskDesk IT assistant for ${f.tenantName} is ready.

Your access key (confidential: do not share it outside your organisation):
    ${f.apiKey}

Your plan: ${f.planName} — ${quotaEn(f.monthlyQuota)}, at most ${f.ratePerMinute} questions a minute,
${priceEn(f.priceCents)} a month.

Getting started (5 minutes):
  1. Unzip the attached file anywhere.
  2. Open chat.html in your browser: the key is already set up.
  3. Ask your first question.
To install it on your intranet or change colours, name and logo, see README.md.

Support: ${f.supportEmail}

Best regards,
The AskDesk team
`;
}
