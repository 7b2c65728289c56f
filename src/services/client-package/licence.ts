import type { PackageFacts } from './facts';

/** LICENSE.txt of the client package: the commercial terms, in French (authoritative) and English. */
export function licence(f: PackageFacts): string {
  return `LICENCE D'UTILISATION — ASKDESK
Client : ${f.tenantName} — délivrée le ${f.issuedOn}

1. Objet. Le présent paquet (page de discussion, scripts, feuille de style, configuration et clé d'accès) est
   concédé au Client pour l'usage interne de son personnel, pendant la durée de son abonnement AskDesk.
   Il n'est ni vendu ni cédé : AskDesk en reste propriétaire.

2. Interdictions. Sont strictement interdits :
   a) toute redistribution du paquet ou d'une partie de celui-ci à un tiers, gratuite ou payante ;
   b) toute ingénierie inverse, décompilation, désassemblage ou tentative d'extraire le fonctionnement du
      service ou du code, sauf dans les limites expressément permises par la loi ;
   c) tout partage de la clé d'accès hors du personnel du Client (la clé est personnelle au Client et
      confidentielle) ;
   d) toute revente, location, sous-licence ou mise à disposition du service à un tiers.

3. Sanction. Toute violation de l'article 2 entraîne la révocation immédiate de la clé d'accès, sans préavis
   ni remboursement, sans préjudice de tous dommages et intérêts.

4. Clé compromise. Le Client signale sans délai toute fuite de sa clé à ${f.supportEmail} ; une nouvelle clé
   lui est délivrée et l'ancienne révoquée.

En cas de divergence entre les deux versions, la version française prévaut.

----------------------------------------------------------------------------------------------------------

ASKDESK LICENCE OF USE
Client: ${f.tenantName} — issued on ${f.issuedOn}

1. Scope. This package (chat page, scripts, stylesheet, configuration and access key) is licensed to the Client
   for internal use by its staff, for the duration of its AskDesk subscription. It is neither sold nor
   transferred: AskDesk remains its owner.

2. Prohibitions. The following are strictly forbidden:
   a) any redistribution of the package or of any part of it to a third party, free or paid;
   b) any reverse engineering, decompilation, disassembly or attempt to extract how the service or the code
      works, except within the limits expressly permitted by law;
   c) any sharing of the access key outside the Client's staff (the key belongs to the Client and is
      confidential);
   d) any resale, rental, sublicensing or provision of the service to a third party.

3. Sanction. Any breach of article 2 results in the immediate revocation of the access key, without notice or
   refund, without prejudice to any damages.

4. Compromised key. The Client reports any leak of its key to ${f.supportEmail} without delay; a new key is
   issued and the old one revoked.

Should the two versions differ, the French version prevails.
`;
}
