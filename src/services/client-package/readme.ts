import type { PackageFacts } from './facts';
import { troubleshootingMarkdown } from './troubleshooting';

/** README.md of the client package: French first (the clients are French hospitals), then English. */
export function readme(f: PackageFacts): string {
  return `# AskDesk — ${f.tenantName}

*English below.*

## Installation en 5 minutes

1. Décompressez ce dossier où vous voulez (bureau, lecteur réseau, clé USB).
2. Ouvrez \`chat.html\` dans votre navigateur (double-clic). C'est tout.
3. Posez une question, par exemple « Comment me connecter au VPN ? ».

Rien à installer : pas de Python, pas de Node, pas de compilation. La page parle directement au service
AskDesk (\`${f.endpoint}\`) avec la clé déjà inscrite dans \`config.js\`.

## Contenu

| fichier | rôle |
| --- | --- |
| \`chat.html\` | la page de l'assistant |
| \`chat.js\`, \`chat.css\` | son code et sa feuille de style |
| \`config.js\` | adresse du service, clé d'accès, nom, logo, langue |
| \`LICENSE.txt\` | conditions d'utilisation |

## Héberger la page sur un serveur intranet

Copiez le dossier tel quel dans un répertoire servi par votre serveur web (IIS, Apache, nginx…), par exemple
\`/var/www/assistant/\`, puis ouvrez \`https://intranet.votre-hopital.fr/assistant/chat.html\`. Ce sont des
fichiers statiques : aucune configuration serveur particulière n'est nécessaire.

- Exemple nginx : \`location /assistant/ { alias /var/www/assistant/; }\`
- Communiquez-nous l'adresse de votre intranet (par exemple \`https://intranet.votre-hopital.fr\`) : nous pouvons
  restreindre votre clé à cette origine. Une fois la restriction active, la page ne fonctionne plus ouverte
  depuis le disque (\`file://\`), seulement depuis votre serveur — sauf si vous nous demandez d'autoriser aussi
  les pages ouvertes depuis le disque (l'origine \`null\`).
- \`config.js\` contient votre clé : publiez la page sur votre intranet uniquement, jamais sur Internet.

## Personnaliser l'apparence

- **Nom et logo** : dans \`config.js\`, changez \`name\` (le titre affiché) et ajoutez \`logoUrl\` (adresse d'une
  image, ou un fichier placé à côté de \`chat.html\`, par exemple \`"logoUrl": "logo.png"\`).
- **Langue** : \`language\` vaut \`"fr"\` ou \`"en"\` (le visiteur peut aussi basculer dans la page).
- **Couleurs** : les couleurs sont des variables CSS déclarées en tête de \`chat.css\` (bloc \`:root\`, variables
  \`--…\`). Modifiez leurs valeurs, ou ajoutez à la fin de \`chat.css\` un bloc \`:root { … }\` qui les redéfinit.
- Ne modifiez pas \`chat.js\` (voir \`LICENSE.txt\`).

## Dépannage

Ce que la page affiche quand quelque chose ne va pas, et que faire. Votre équipe informatique suit la consommation,
les clés et les questions restées sans réponse dans le tableau de bord AskDesk (\`/dashboard\`, avec une clé secrète).

${troubleshootingMarkdown('fr')}
## Support

${f.supportEmail} — indiquez le nom de votre établissement et, en cas d'erreur, le message affiché.

---

# AskDesk — ${f.tenantName} (English)

## 5-minute setup

1. Unzip this folder anywhere (desktop, network drive, USB stick).
2. Open \`chat.html\` in your browser (double-click). That's it.
3. Ask a question, for instance "How do I connect to the VPN?".

Nothing to install: no Python, no Node, no build step. The page talks straight to the AskDesk service
(\`${f.endpoint}\`) with the key already written in \`config.js\`.

## Contents

| file | role |
| --- | --- |
| \`chat.html\` | the assistant's page |
| \`chat.js\`, \`chat.css\` | its code and stylesheet |
| \`config.js\` | service address, access key, name, logo, language |
| \`LICENSE.txt\` | terms of use |

## Hosting the page on an intranet server

Copy the folder as it is into a directory served by your web server (IIS, Apache, nginx…), for instance
\`/var/www/assistant/\`, then open \`https://intranet.your-hospital.org/assistant/chat.html\`. These are static
files: no particular server configuration is needed.

- nginx example: \`location /assistant/ { alias /var/www/assistant/; }\`
- Send us your intranet's address (for instance \`https://intranet.your-hospital.org\`): we can restrict your key
  to that origin. Once restricted, the page no longer works opened from disk (\`file://\`), only from your server —
  unless you ask us to allow pages opened from disk too (the origin \`null\`).
- \`config.js\` holds your key: publish the page on your intranet only, never on the Internet.

## Restyling

- **Name and logo**: in \`config.js\`, change \`name\` (the title shown) and add \`logoUrl\` (an image address, or a
  file placed next to \`chat.html\`, e.g. \`"logoUrl": "logo.png"\`).
- **Language**: \`language\` is \`"fr"\` or \`"en"\` (visitors can also switch in the page).
- **Colours**: colours are CSS variables declared at the top of \`chat.css\` (the \`:root\` block, \`--…\`
  variables). Change their values, or append to \`chat.css\` a \`:root { … }\` block redefining them.
- Do not modify \`chat.js\` (see \`LICENSE.txt\`).

## Troubleshooting

What the page shows when something goes wrong, and what to do. Your IT team follows usage, keys and the questions
left unanswered on the AskDesk dashboard (\`/dashboard\`, with a secret key).

${troubleshootingMarkdown('en')}
## Support

${f.supportEmail} — give your organisation's name and, for an error, the message shown.
`;
}
