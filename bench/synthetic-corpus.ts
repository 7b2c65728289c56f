/**
 * A deterministic IT-support corpus of any size, in English and French, for measuring retrieval at scale (the
 * speed bench and the plan test). Word frequencies follow Zipf's law, as in real text: a few words are in most
 * passages and most words are rare. Questions are written the same way at the lengths users ask them, so they
 * carry common words, which have the longest posting lists, as often as real questions do.
 */
import { seededRandom } from './retrieval-sets';

// The same seedable generator as the eval's padding (mulberry32): the same seed gives the same corpus on every machine.
const prng = seededRandom;

type Lang = 'en' | 'fr';

// The head of each vocabulary: real IT-support words, most frequent first. The long tail is made of generated
// names (hosts, products, error codes), as a hospital's IT documents are.
const HEAD: Record<Lang, string[]> = {
  en: (
    'user account password computer network printer email access login screen server error update install ' +
    'software device phone connection settings service desk ticket reset vpn wifi laptop portal badge restart ' +
    'windows office outlook folder file drive share backup security certificate browser application session ' +
    'locked unlock request support hardware monitor keyboard mouse cable port firewall proxy domain admin ' +
    'profile mailbox calendar meeting teams license patch driver scanner toner paper tray queue citrix terminal ' +
    'workstation desktop remote home sign multifactor authenticator token code expired renew policy encryption ' +
    'disk storage quota archive restore sync mobile tablet app store camera headset audio video display resolution ' +
    'bluetooth wireless ethernet dhcp dns address ip gateway router switch outage incident maintenance reboot'
  ).split(' '),
  fr: (
    'utilisateur compte mot passe ordinateur réseau imprimante messagerie accès connexion écran serveur erreur ' +
    'mise jour installer logiciel appareil téléphone paramètres service assistance ticket réinitialiser vpn wifi ' +
    'portable portail badge redémarrer windows bureau outlook dossier fichier lecteur partage sauvegarde sécurité ' +
    'certificat navigateur application session verrouillé déverrouiller demande support matériel moniteur clavier ' +
    'souris câble pare-feu proxy domaine administrateur profil boîte calendrier réunion licence correctif pilote ' +
    'scanner toner papier bac file citrix terminal poste distant domicile authentification jeton code expiré ' +
    'renouveler politique chiffrement disque stockage quota archive restaurer synchroniser mobile tablette caméra ' +
    'casque audio vidéo affichage résolution bluetooth sans fil ethernet adresse passerelle routeur panne incident'
  ).split(' '),
};

// Function words are most of running text; the analyzer drops them, the chunker and the language guess see them.
const GLUE: Record<Lang, string[]> = {
  en: 'the to of and a in is for on with your from it you that this be can by at or if'.split(' '),
  fr: 'le la les de des du et un une pour dans sur avec votre vous est au aux par ce qui que'.split(' '),
};

const SYLLABLES = 'ka ro mi te su lan vor dex tri pol nex zur fa gi ob sel tra qui mon bel cor ux ad ven'.split(' ');
const VOCABULARY_SIZE = 30_000;

function buildVocabulary(lang: Lang): string[] {
  const random = prng(lang === 'en' ? 11 : 29);
  const words = [...HEAD[lang]];
  const seen = new Set(words);
  while (words.length < VOCABULARY_SIZE) {
    const n = 2 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (random() < 0.15) w += String(Math.floor(random() * 100));
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return words;
}

/** Samples word ranks with probability ∝ 1 / rank (Zipf, s = 1). */
class Zipf {
  private readonly cdf: Float64Array;

  constructor(n: number) {
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) this.cdf[i] = sum += 1 / (i + 1);
    for (let i = 0; i < n; i++) this.cdf[i] /= sum;
  }

  rank(u: number): number {
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export interface SyntheticDocument {
  title: string;
  content: string;
  mimeType: 'text/markdown';
}

/** Generates documents (about three 1,000-character chunks each) and questions over them, from one seed. */
export class SyntheticCorpus {
  private readonly vocab: Record<Lang, string[]> = { en: buildVocabulary('en'), fr: buildVocabulary('fr') };
  private readonly zipf = new Zipf(VOCABULARY_SIZE);

  constructor(private readonly seed = 1) {}

  private sentence(random: () => number, lang: Lang, words: number): string {
    const out: string[] = [];
    for (let i = 0; i < words; i++) {
      out.push(random() < 0.4 ? GLUE[lang][Math.floor(random() * GLUE[lang].length)] : this.vocab[lang][this.zipf.rank(random())]);
    }
    const s = out.join(' ');
    return `${s[0].toUpperCase()}${s.slice(1)}.`;
  }

  /** Document number `i` (the same for a given seed and i); one in three is French. */
  document(i: number): SyntheticDocument {
    const random = prng(this.seed * 1_000_003 + i);
    const lang: Lang = i % 3 === 2 ? 'fr' : 'en';
    const title = `${this.sentence(random, lang, 4).slice(0, -1)} ${i}`;
    const sections: string[] = [`# ${title}`];
    for (let s = 0; s < 3; s++) {
      sections.push(`## ${this.sentence(random, lang, 3).slice(0, -1)}`);
      const paragraph: string[] = [];
      while (paragraph.join(' ').length < 900) paragraph.push(this.sentence(random, lang, 8 + Math.floor(random() * 10)));
      sections.push(paragraph.join(' '));
    }
    return { title, content: sections.join('\n\n'), mimeType: 'text/markdown' };
  }

  /**
   * Document number `i` already cut into `count` one-sentence passages, for tests that need many chunks quickly
   * (about 12 postings a passage instead of about 67 for a chunk of the chunker's size).
   */
  passages(i: number, count: number): { title: string; chunks: { ordinal: number; heading: string; text: string }[] } {
    const random = prng(this.seed * 1_000_003 + i);
    const lang: Lang = i % 3 === 2 ? 'fr' : 'en';
    const title = `${this.sentence(random, lang, 4).slice(0, -1)} ${i}`;
    const chunks = Array.from({ length: count }, (_, ordinal) => ({ ordinal, heading: '', text: this.sentence(random, lang, 20) }));
    return { title, chunks };
  }

  /**
   * User question number `i`, `words` words long (lengths come from real question sets: bench/user-questions.ts):
   * written as the documents are, function words and Zipf-distributed vocabulary at the corpus's own frequencies,
   * so a long question carries the common words that have the longest posting lists, as long real posts do.
   */
  userQuestion(i: number, words: number): string {
    const random = prng(this.seed * 7_927 + i + 2_000_000_000);
    const lang: Lang = i % 3 === 2 ? 'fr' : 'en';
    const text = this.sentence(random, lang, words);
    return lang === 'fr' ? `${text.slice(0, -1)} ?` : `${text.slice(0, -1)}?`;
  }
}
