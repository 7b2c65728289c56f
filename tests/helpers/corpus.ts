/** A small bilingual IT-support corpus, as a hospital's IT service would write it. */
export const HOSPITAL_A_DOCS = [
  {
    title: 'Réinitialisation des mots de passe',
    sourceUrl: 'https://intranet.chu-a.example/it/mots-de-passe',
    mimeType: 'text/markdown',
    content: `# Réinitialisation des mots de passe

## Procédure
Pour réinitialiser votre mot de passe Windows, ouvrez le portail https://motdepasse.chu-a.example depuis un poste
du réseau hospitalier. Saisissez votre matricule, puis répondez aux questions de sécurité. Le nouveau mot de passe
doit contenir au moins 12 caractères.

## Compte verrouillé
Après cinq tentatives échouées, le compte est verrouillé pendant 30 minutes. Le service d'assistance peut le
déverrouiller plus tôt au poste 4242.`,
  },
  {
    title: 'Connecting to the hospital VPN',
    sourceUrl: 'https://intranet.chu-a.example/it/vpn',
    mimeType: 'text/markdown',
    content: `# Connecting to the hospital VPN

Install the GlobalProtect client from the software centre. Enter the portal address vpn.chu-a.example and sign in
with your network account. Multi-factor authentication uses the Authenticator app on your phone.

## Troubleshooting
If the VPN disconnects every few minutes, switch from Wi-Fi to a wired connection and update the client.`,
  },
  {
    title: 'Imprimantes du service de radiologie',
    sourceUrl: null,
    mimeType: 'text/html',
    content: `<html><head><style>p{color:red}</style></head><body><h1>Imprimantes du service de radiologie</h1>
<p>Les imprimantes de radiologie sont installées automatiquement. Pour ajouter une imprimante manquante, ouvrez
<b>Paramètres &gt; Imprimantes</b> et choisissez RADIO-IMP-02.</p><script>alert('x')</script>
<p>En cas de bourrage papier, ouvrez le capot avant et retirez délicatement la feuille.</p></body></html>`,
  },
  {
    title: 'Email on mobile phones',
    sourceUrl: 'https://intranet.chu-a.example/it/mobile-mail',
    mimeType: 'text/plain',
    content: `To read hospital email on your phone, install Outlook from the app store and sign in with your hospital
address. Your phone must have a screen lock. Lost phones must be reported to the service desk at once so the
mailbox can be wiped remotely.`,
  },
];

/** Tenant B's documents: a topic tenant A has nothing about, with a secret phrase that must never leak to A. */
export const HOSPITAL_B_DOCS = [
  {
    title: 'Badge access for the operating theatre',
    sourceUrl: 'https://intranet.chu-b.example/badges',
    mimeType: 'text/plain',
    content: `Operating theatre badges are activated by security. The badge override code is ZEBRA-7731; never share it.
To request badge access for the operating theatre, fill in form SEC-12 and ask your head nurse to sign it.`,
  },
];
