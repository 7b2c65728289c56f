import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/database';
import { chunkDocument, MAX_CHUNK_CHARS } from '../../src/services/text/chunker';
import { htmlToText } from '../../src/services/text/html-to-text';
import { analyze, contentTerms, coverage, detectLanguage, tokenize, tokenOf, type Language } from '../../src/services/text/analyzer';
import { queryTerms } from '../../src/services/retrieval/query-terms';
import { GroundingPolicy } from '../../src/services/retrieval/grounding-policy';
import { PgRetrievalIndex } from '../../src/services/retrieval/pg-retrieval-index';
import { withPreparedStatements } from '../../src/services/retrieval/prepared-sql';
import { preparedRunner } from '../../src/services/data/prepared';
import { DEFAULT_FEEDBACK, DEFAULT_RANKING } from '../../src/services/retrieval/pg-retriever';
import type { Passage, Sql } from '../../src/services/retrieval/types';
import { openTestDatabase } from '../helpers/database';

type Mime = 'text/plain' | 'text/markdown' | 'text/html';
interface Doc {
  title: string;
  content: string;
  mimeType: Mime;
  sourceUrl?: string;
}

const TENANT_A: Doc[] = [
  {
    title: 'Réinitialisation des mots de passe',
    sourceUrl: 'https://intranet.a.example/it/mots-de-passe',
    mimeType: 'text/markdown',
    content: `# Réinitialisation des mots de passe

## Procédure
Pour réinitialiser votre mot de passe Windows, ouvrez le portail https://motdepasse.a.example depuis un poste
du réseau. Saisissez votre matricule, puis répondez aux questions de sécurité. Le nouveau mot de passe doit
contenir au moins 12 caractères.

## Compte verrouillé
Après cinq tentatives échouées, le compte est verrouillé pendant 30 minutes. Le service d'assistance peut le
déverrouiller plus tôt.`,
  },
  {
    title: 'Resetting your password',
    sourceUrl: 'https://intranet.a.example/it/password',
    mimeType: 'text/markdown',
    content: `# Resetting your password

Open the self-service portal at https://password.a.example from a computer on the network, enter your staff
number and answer your security questions. New passwords need at least 12 characters.

## Locked accounts
After five failed attempts the account is locked for 30 minutes; the service desk can unlock it sooner.`,
  },
  {
    title: 'Connecting to the VPN',
    mimeType: 'text/markdown',
    content: `Install the GlobalProtect client from the software centre, enter the portal address vpn.a.example and sign
in with your network account. If the VPN disconnects every few minutes, switch from Wi-Fi to a wired connection.`,
  },
  {
    title: 'Moderating comments on the intranet',
    mimeType: 'text/plain',
    content: `Editors can hide a comment, delete comments in bulk, or close comments on a page from its settings.`,
  },
  {
    title: 'Imprimantes du service de radiologie',
    mimeType: 'text/html',
    content: `<html><head><style>p{color:red}</style></head><body><h1>Imprimantes</h1>
<p>Les imprimantes sont installées automatiquement. Pour ajouter une imprimante manquante, ouvrez
<b>Paramètres &gt; Imprimantes</b> et choisissez RADIO-IMP-02.</p><script>alert('x')</script>
<h2>Bourrage papier</h2><p>En cas de bourrage, ouvrez le capot avant et retirez délicatement la feuille.</p></body></html>`,
  },
];

const TENANT_B: Doc[] = [
  {
    title: 'Mot de passe oublié',
    mimeType: 'text/plain',
    content: `Pour réinitialiser un mot de passe oublié, appelez le standard informatique au 5151 (tenant B).`,
  },
  {
    title: 'Scanner configuration for the finance department',
    mimeType: 'text/plain',
    content: `The finance scanners send documents to the shared folder \\\\fin-scan01\\inbox. Toner is ordered by facilities.`,
  },
];

describe('analyzer', () => {
  it('folds accents and case', () => {
    expect(tokenize('Réinitialisation DU Réseau, Wi-Fi!')).toEqual(['reinitialisation', 'du', 'reseau', 'wi', 'fi']);
  });

  it('reads one word as tokenize does, whatever its script or case', () => {
    const words = ['VPN', 'Outlook365', 'déjà', 'Idée', 'ŒUVRE', 'Straße', 'İstanbul', 'naïve', 'x', 'e\u0301te\u0301'];
    for (const word of words) expect(tokenOf(word), word).toBe(tokenize(word)[0] ?? '');
  });

  it('stems French plurals and verb forms onto the same terms, with or without accents', () => {
    const doc = contentTerms('Réinitialisation des mots de passe', 'fr');
    for (const q of ['Comment réinitialiser mon mot de passe ?', 'comment reinitialiser mon mot de passe']) {
      expect(coverage(contentTerms(q, 'fr'), 'Réinitialisation des mots de passe', 'fr')).toBe(1);
    }
    expect(doc).toEqual(contentTerms('réinitialiser mot passe', 'fr'));
  });

  it('stems English and drops function words of both languages', () => {
    expect(contentTerms('How do I delete my accounts?', 'en')).toEqual(['delet', 'account']);
    expect(contentTerms('Comment supprimer les comptes ?', 'fr')).toEqual(['supprim', 'compt']);
  });

  it('also counts a product name with a version glued on as the name alone, and keeps codes whole', () => {
    expect(analyze('iDRAC8 on ESXi7', 'en')).toEqual(['idrac8', 'idrac', 'esxi7', 'esxi']);
    // Codes and part numbers are single terms, neither split nor stemmed.
    expect(analyze('R740 0Y26KX X710 0x80070005 KB5034441', 'en')).toEqual(['r740', '0y26kx', 'x710', '0x80070005', 'kb5034441']);
  });

  it('also counts a model with a variant glued on as the model, and a model number glued to its name as the number', () => {
    expect(analyze('R730xd H730p R710s', 'en')).toEqual(['r730xd', 'r730', 'h730p', 'h730', 'r710s', 'r710']);
    expect(analyze('Precision7510 on Windows2012', 'en')).toEqual(['precision7510', 'precis', '7510', 'windows2012', 'window', '2012']);
    // A short version glued on is not a model number: "Win10" does not also count as "10".
    expect(analyze('Win10', 'en')).toEqual(['win10', 'win']);
  });

  it("parts a sentence's first word from the last one before it when the line break between them was lost", () => {
    expect(tokenize('I replaced the backplaneI still see the errorThanks')).toEqual(['i', 'replaced', 'the', 'backplane', 'i', 'still', 'see', 'the', 'error', 'thanks']);
    expect(tokenize("impossible d'ouvrir le réseauJe redémarre")).toEqual(['impossible', 'd', 'ouvrir', 'le', 'reseau', 'je', 'redemarre']);
    // Product names keep their capitals whole.
    expect(tokenize('PowerEdge OpenManage iDRAC macOS')).toEqual(['poweredge', 'openmanage', 'idrac', 'macos']);
  });

  it('tells French from English', () => {
    expect(detectLanguage('Comment réinitialiser mon mot de passe ?')).toBe('fr');
    expect(detectLanguage('How do I reset my password?')).toBe('en');
    expect(detectLanguage('imprimante bloquée')).toBe('fr');
  });

  it('measures coverage whatever language the question terms were analysed in', () => {
    expect(coverage(contentTerms('printer toner'), 'Order toner for the printers')).toBe(1);
    expect(coverage(contentTerms('imprimantes bourrage'), 'En cas de bourrage de l’imprimante')).toBe(1);
    expect(coverage([], 'anything')).toBe(0);
  });
});

describe('htmlToText', () => {
  it('drops scripts and styles, turns headings into markdown headings and decodes entities', () => {
    const text = htmlToText(TENANT_A[4].content);
    expect(text).not.toMatch(/alert|color:red|<\/?[a-z]/i);
    expect(text).toContain('# Imprimantes');
    expect(text).toContain('## Bourrage papier');
    expect(text).toContain('Paramètres > Imprimantes');
  });

  it('keeps list items, line breaks of <pre> and numeric entities', () => {
    const text = htmlToText(
      '<ul><li>Un&nbsp;&eacute;cran</li><li>Deux &#233;crans &#x2192; ok</li></ul><pre>  indent\n    more</pre><p>a<br>b</p>',
    );
    expect(text).toContain('- Un écran\n- Deux écrans → ok');
    expect(text).toContain('  indent\n    more');
    expect(text).toContain('a\nb');
  });

  it('survives malformed markup', () => {
    expect(htmlToText('<p>open <b>bold <i>never closed<script>evil()')).toBe('open bold never closed');
  });
});

describe('chunker', () => {
  it('splits along headings and records the heading path', () => {
    const chunks = chunkDocument(TENANT_A[0].content, 'text/markdown');
    expect(chunks.map((c) => c.heading)).toEqual([
      'Réinitialisation des mots de passe > Procédure',
      'Réinitialisation des mots de passe > Compte verrouillé',
    ]);
    expect(chunks.map((c) => c.ordinal)).toEqual([0, 1]);
    expect(chunks[1].text).toMatch(/^Après cinq tentatives/);
  });

  it('bounds chunk size and overlaps consecutive chunks of a long section', () => {
    // Lengths near the bound too: a long paragraph after a carried-over tail must still fit.
    const paragraphs = Array.from({ length: 12 }, (_, i) =>
      Array.from({ length: 60 }, (__, j) => `Sentence ${i}.${j} about printers.`).join(' ').slice(0, i % 3 === 0 ? 1100 : 500),
    );
    const chunks = chunkDocument(`# Long\n\n${paragraphs.join('\n\n')}`, 'text/markdown');
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
    for (let i = 1; i < chunks.length; i++) {
      const head = chunks[i].text.slice(0, 40);
      expect(chunks[i - 1].text).toContain(head);
    }
    // Nothing is lost: every paragraph's opening is in some chunk.
    for (const p of paragraphs) expect(chunks.some((c) => c.text.includes(p.slice(0, 60)))).toBe(true);
  });

  it('cuts a single huge paragraph without losing words', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    const chunks = chunkDocument(words.join(' '), 'text/plain');
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(MAX_CHUNK_CHARS);
    const seen = new Set(chunks.flatMap((c) => c.text.split(/\s+/)));
    expect(words.every((w) => seen.has(w))).toBe(true);
  });

  it('treats # as a heading in markdown only, and never inside code fences', () => {
    const md = '# Setup\n\n```sh\n# not a heading\nrun\n```\n\n## Printers\n\nAdd one.';
    const chunks = chunkDocument(md, 'text/markdown');
    expect(chunks.map((c) => c.heading)).toEqual(['Setup', 'Setup > Printers']);
    expect(chunks[0].text).toContain('# not a heading');
    expect(chunkDocument('#hashtag line\n\nbody', 'text/plain').every((c) => c.heading === '')).toBe(true);
  });

  it('sees HTML headings through htmlToText', () => {
    const chunks = chunkDocument(TENANT_A[4].content, 'text/html');
    expect(chunks.map((c) => c.heading)).toEqual(['Imprimantes', 'Imprimantes > Bourrage papier']);
  });

  it('returns nothing for an empty document', () => {
    expect(chunkDocument('  \n\n ', 'text/plain')).toEqual([]);
  });
});

describe('GroundingPolicy (unit)', () => {
  const passage = (score: number, cov: number, id = String(score)): Passage => ({
    chunkId: id, documentId: id, title: 't', sourceUrl: null, heading: '', text: 'x', score, coverage: cov,
  });
  const policy = new GroundingPolicy();

  it('keeps at most four supporting passages, best first, and drops weak ones', () => {
    const q = 'reset vpn password locked account';
    const d = policy.select(q, [passage(5, 0.8), passage(9, 0.6), passage(8, 1), passage(7, 0.8), passage(6, 0.6), passage(2, 1), passage(8.5, 0.2)]);
    expect(d.grounded).toBe(true);
    expect(d.passages.map((p) => p.score)).toEqual([9, 8, 7, 6]);
  });

  it('refuses when no passage covers enough of the question', () => {
    expect(policy.select('reset vpn password locked account', [passage(9, 0.2), passage(8, 0.4)]).grounded).toBe(false);
    expect(policy.select('reset vpn password', []).grounded).toBe(false);
    expect(policy.select('how do I?', [passage(9, 1)]).grounded).toBe(false);
  });

  it('asks for two matched terms when the question has them, one for a one-word question', () => {
    // 1 of 2 terms is half the question, but a single shared word is no evidence.
    expect(policy.select('capital peru', [passage(9, 0.5)]).grounded).toBe(false);
    expect(policy.select('vpn', [passage(9, 1)]).grounded).toBe(true);
  });

  it('asks a question naming something the documents never use for words that are rare together', () => {
    const q = 'How do I open a savings account at my bank?';
    const withEvidence = (cov: number, chance: number, unknownTerms: number, chunks = 400): Passage => ({
      ...passage(9, cov), evidence: { chance, unknownTerms, chunks },
    });
    // "open", "save", "account" would meet in two of 400 chunks by chance, and no document says "bank".
    expect(policy.select(q, [withEvidence(0.75, 2.1, 1)]).grounded).toBe(false);
    // The same shared words answer a question whose every word the documents know.
    expect(policy.select(q, [withEvidence(0.75, 2.1, 0)]).grounded).toBe(true);
    // Words rare together are evidence, even with a word the documents never use, down to 40 % coverage.
    expect(policy.select('reset vpn password locked account', [withEvidence(0.4, 0.01, 1)]).grounded).toBe(true);
    // When the documents know every word of the question, 40 % coverage is enough.
    expect(policy.select('reset vpn password locked account', [{ ...passage(9, 0.4), evidence: { unknownTerms: 0 } }]).grounded).toBe(true);
    // A tenant of a few chunks says nothing about which words are common: coverage alone decides, at 50 %.
    expect(policy.select(q, [withEvidence(0.75, 2.1, 1, 12)]).grounded).toBe(true);
    expect(policy.select('reset vpn password locked account', [withEvidence(0.4, 0.01, 1, 12)]).grounded).toBe(false);
    // So does a backend without term statistics.
    expect(policy.select('reset vpn password locked account', [passage(9, 0.4)]).grounded).toBe(false);
  });
});

describe('PgRetrievalIndex on PostgreSQL', () => {
  let db: Database;
  let sql: Sql;
  let index: PgRetrievalIndex;
  const ids = { a: '', b: '' };
  const docIds = new Map<string, string>();

  async function createTenant(slug: string): Promise<string> {
    const rows = await sql.query<{ id: string }[]>(
      `INSERT INTO tenant (slug, name, contact_email, plan_code) VALUES ($1, $1, 'it@example.com', 'BUSINESS') RETURNING id`,
      [slug],
    );
    return rows[0].id;
  }

  async function addDoc(tenantId: string, doc: Doc): Promise<string> {
    const rows = await sql.query<{ id: string }[]>(
      `INSERT INTO document (tenant_id, title, source_url, mime_type, content_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [tenantId, doc.title, doc.sourceUrl ?? null, doc.mimeType, createHash('sha256').update(doc.content).digest('hex')],
    );
    const documentId = rows[0].id;
    await index.addDocument({
      tenantId, documentId, title: doc.title, sourceUrl: doc.sourceUrl ?? null, chunks: chunkDocument(doc.content, doc.mimeType),
    });
    docIds.set(doc.title, documentId);
    return documentId;
  }

  async function count(table: 'chunk' | 'posting', tenantId: string): Promise<number> {
    // A posting is one distinct term of a chunk's forward index.
    const what = table === 'posting' ? `coalesce(sum(cardinality(string_to_array(terms, ' '))), 0)` : 'count(*)';
    const rows = await sql.query<{ n: number }[]>(`SELECT ${what}::int AS n FROM chunk WHERE tenant_id = $1`, [tenantId]);
    return rows[0].n;
  }

  /** The BM25 totals kept by triggers must equal what the chunks themselves say, through every kind of delete. */
  async function expectStatsExact(tenantId: string): Promise<void> {
    const [actual] = await sql.query<{ chunks: number; title_len: number; body_len: number }[]>(
      `SELECT count(*)::int AS chunks, coalesce(sum(title_len), 0)::int AS title_len, coalesce(sum(body_len), 0)::int AS body_len
       FROM chunk WHERE tenant_id = $1`,
      [tenantId],
    );
    const [kept] = await sql.query<{ chunks: number; title_len: number; body_len: number }[]>(
      `SELECT coalesce(sum(chunks), 0)::int AS chunks, coalesce(sum(title_len), 0)::int AS title_len,
              coalesce(sum(body_len), 0)::int AS body_len FROM chunk_stats WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(kept).toEqual(actual);
    // A chunk's forward index: distinct terms, two counts of two bytes for each, every term in the title or the body.
    const malformed = await sql.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM chunk c CROSS JOIN LATERAL (SELECT string_to_array(c.terms, ' ') AS terms) f
       WHERE c.tenant_id = $1 AND (octet_length(c.tfs) <> 4 * cardinality(f.terms)
         OR (SELECT count(DISTINCT t) FROM unnest(f.terms) t) <> cardinality(f.terms)
         OR EXISTS (SELECT 1 FROM generate_series(0, octet_length(c.tfs) - 4, 4) i WHERE substr(c.tfs, i + 1, 4) = '\\x00000000'::bytea))`,
      [tenantId],
    );
    expect(malformed[0].n).toBe(0);
  }

  beforeAll(async () => {
    db = await openTestDatabase();
    sql = db.dataSource;
    // As the app builds it: searches run as a prepared statement.
    index = new PgRetrievalIndex(withPreparedStatements(sql));
    ids.a = await createTenant('hospital-a');
    ids.b = await createTenant('hospital-b');
    for (const d of TENANT_A) await addDoc(ids.a, d);
    for (const d of TENANT_B) await addDoc(ids.b, d);
  });
  afterAll(async () => db?.close());

  it('is the postgres backend and answers ping', async () => {
    expect(index.name).toBe('postgres');
    await expect(index.ping()).resolves.toBeUndefined();
  });

  it("reports each passage's coverage as the analyzer measures it on the passage's own text", async () => {
    // The retriever takes coverage from the postings its search matched; this pins it to the analyzer's reading.
    const questions = [
      'Comment réinitialiser mon mot de passe ?',
      'How do I reset my password? I tried the portal yesterday. It says my account is locked.',
      'VPN disconnects every few minutes on Wi-Fi',
      'imprimante bourrage papier radiologie',
    ];
    let compared = 0;
    for (const question of questions) {
      const { analyses } = queryTerms(question);
      for (const p of await index.forTenant(ids.a).search(question, 5)) {
        const [{ lang }] = await sql.query<{ lang: Language }[]>(`SELECT lang FROM chunk WHERE id = $1`, [p.chunkId]);
        expect(p.coverage, `${question} → ${p.title}`).toBeCloseTo(coverage(analyses.get(lang) ?? [], `${p.title}\n${p.heading}\n${p.text}`, lang), 12);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(8);
  });

  it('reports the evidence of each passage: chance meetings of its shared words, question words no chunk holds', async () => {
    const question = 'Comment réinitialiser mon mot de passe depuis la piscine ?';
    const passages = await index.forTenant(ids.a).search(question, 5);
    expect(passages.length).toBeGreaterThan(0);
    const chunks = Number((await sql.query<{ chunks: number }[]>(`SELECT chunks FROM chunk_stats WHERE tenant_id = $1`, [ids.a]))[0].chunks);
    for (const p of passages) {
      const [{ lang }] = await sql.query<{ lang: Language }[]>(`SELECT lang FROM chunk WHERE id = $1`, [p.chunkId]);
      const terms = queryTerms(question).analyses.get(lang) ?? [];
      if (!p.evidence || !('chance' in p.evidence)) throw new Error(`no chance reported for ${p.title}`);
      const present = new Set(analyze(`${p.title}\n${p.heading}\n${p.text}`, lang));
      const df = async (t: string) =>
        Number((await sql.query<{ df: number }[]>(`SELECT count(*)::int AS df FROM chunk WHERE tenant_id = $1 AND lang = $2 AND $3 = ANY(string_to_array(terms, ' '))`, [ids.a, lang, t]))[0].df);
      let chance = chunks;
      let unknownTerms = 0;
      for (const t of terms) {
        const n = await df(t);
        if (n === 0) unknownTerms++;
        if (present.has(t)) chance *= Math.max(n, 0.5) / chunks;
      }
      expect(p.evidence.chunks).toBe(chunks);
      expect(p.evidence.unknownTerms, p.title).toBe(unknownTerms);
      expect(p.evidence.chance, p.title).toBeCloseTo(chance, 9);
    }
    // "piscine" is in no document of the tenant.
    expect(passages[0].evidence?.unknownTerms).toBeGreaterThanOrEqual(1);
    // When a passage found holds each question term, none is unknown, and no statistics are looked up.
    expect((await index.forTenant(ids.a).search('How do I reset my password?', 5))[0].evidence).toEqual({ unknownTerms: 0 });
  });

  it('finds the same passages as a prepared statement, also when the database session already holds it', async () => {
    const plain = new PgRetrievalIndex(sql).forTenant(ids.a);
    const question = 'How do I reset my password?';
    const expected = await plain.search(question, 5);
    expect(expected.length).toBeGreaterThan(0);
    expect(await index.forTenant(ids.a).search(question, 5)).toEqual(expected);
    // The data layer's statements and the search share the pool's one runner, so neither empties the other's.
    expect(preparedRunner(sql)).toBe(preparedRunner(sql));
    // The pool drops its connection (as it does after 10 s idle) and opens another. PGlite serves both from one
    // session, where the statement is still prepared; the new connection does not know it.
    const pool = (sql.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    const ended = new Promise((resolve) => client.once('end', resolve));
    client.release(true);
    await ended;
    expect(await index.forTenant(ids.a).search(question, 5)).toEqual(expected);
  });

  it('finds the French document first for a French question with accents and plurals', async () => {
    const retriever = index.forTenant(ids.a);
    for (const q of ['Comment réinitialiser mon mot de passe ?', 'reinitialisation mots de passe', 'Mon compte est verrouillé']) {
      const [first] = await retriever.search(q, 5);
      expect(first?.title, q).toBe('Réinitialisation des mots de passe');
    }
  });

  it("does not match a French question's function words in English documents", async () => {
    const hits = await index.forTenant(ids.a).search('Comment réinitialiser mon mot de passe ?', 20);
    expect(hits.map((h) => h.title)).not.toContain('Moderating comments on the intranet');
    const [first] = await index.forTenant(ids.a).search('How do I delete a comment?', 5);
    expect(first.title).toBe('Moderating comments on the intranet');
  });

  it('takes idf within each language, so a few other-language chunks sharing common words do not come first', async () => {
    const tenant = await createTenant('clinic-c');
    const rooms = ['radiology', 'pharmacy', 'laboratory', 'reception', 'maternity', 'oncology', 'cardiology', 'surgery'];
    for (const room of rooms) {
      await addDoc(tenant, { title: `The ${room} Dell server`, mimeType: 'text/plain', content: `The Dell server of the ${room} stands in the basement rack and is backed up every night.` });
    }
    await addDoc(tenant, { title: 'Noisy fans', mimeType: 'text/plain', content: 'A Dell server whose fans run loud after a firmware update needs its thermal profile set back to default.' });
    // One French document among English ones: "dell" and "server" are everyday words in English here, rare in French.
    await addDoc(tenant, { title: 'Le server Dell de la pharmacie', mimeType: 'text/plain', content: "Le server Dell de la pharmacie redémarre chaque nuit à deux heures. En cas de panne, appelez l'astreinte." });
    const [first] = await index.forTenant(tenant).search('Why is my Dell server so loud?', 5);
    expect(first.title).toBe('Noisy fans');
    await expectStatsExact(tenant);
  });

  it('finds the English document first for an English question', async () => {
    const hits = await index.forTenant(ids.a).search('How do I reset my password?', 5);
    expect(hits[0].title).toBe('Resetting your password');
    expect(hits[0]).toMatchObject({
      documentId: docIds.get('Resetting your password'),
      sourceUrl: 'https://intranet.a.example/it/password',
      heading: 'Resetting your password',
    });
    expect(hits[0].text).toMatch(/self-service portal/);
    expect(hits[0].coverage).toBe(1);
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
  });

  it('with feedback (RM3), still quotes the section that answers the question first', async () => {
    const withFeedback = new PgRetrievalIndex(sql, { ...DEFAULT_RANKING, feedback: DEFAULT_FEEDBACK });
    const hits = await withFeedback.forTenant(ids.a).search('How do I reset my password?', 5);
    expect(hits[0]).toMatchObject({ title: 'Resetting your password', heading: 'Resetting your password' });
    expect(hits[0].text).toMatch(/self-service portal/);
    const scores = hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
  });

  it("reranks a long post's passages only (rerank.ts), keeping them sorted by score and the best one's score", async () => {
    const bm25 = new PgRetrievalIndex(sql, { ...DEFAULT_RANKING, rerank: null }).forTenant(ids.a);
    const short = 'How do I reset my password?';
    expect(await index.forTenant(ids.a).search(short, 5)).toEqual(await bm25.search(short, 5));
    const post =
      'Hi all, since this morning my Windows password is refused on every computer of the ward and the account seems ' +
      'locked. I tried five times, then waited, then tried the portal from home, which did not open. My colleague says ' +
      'the self-service portal only works from the network. How do I reset my password and unlock the account?';
    const [before, after] = [await bm25.search(post, 8), await index.forTenant(ids.a).search(post, 8)];
    expect(after.length).toBe(before.length);
    const scores = after.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    expect(after[0].score).toBeCloseTo(before[0].score, 9);
    expect(new Set(after.map((h) => h.documentId))).toContain(docIds.get('Resetting your password'));
    expect(after[0].title).toMatch(/password|mot de passe/i);
  });

  it('finds HTML sections by their heading', async () => {
    const [first] = await index.forTenant(ids.a).search('bourrage papier imprimante', 3);
    expect(first).toMatchObject({ title: 'Imprimantes du service de radiologie', heading: 'Imprimantes > Bourrage papier' });
  });

  it("never returns another tenant's documents", async () => {
    const bDocs = new Set([docIds.get('Mot de passe oublié'), docIds.get('Scanner configuration for the finance department')]);
    for (const q of ['mot de passe oublié standard 5151', 'finance scanners toner', 'Comment réinitialiser mon mot de passe ?']) {
      const hits = await index.forTenant(ids.a).search(q, 20);
      expect(hits.some((h) => bDocs.has(h.documentId))).toBe(false);
    }
    expect(await index.forTenant(ids.a).search('finance scanners toner', 5)).toEqual([]);
    const [bFirst] = await index.forTenant(ids.b).search('finance scanners toner', 5);
    expect(bFirst.title).toBe('Scanner configuration for the finance department');
  });

  it("refuses to index a document under a tenant that does not own it", async () => {
    const before = await count('chunk', ids.a);
    await expect(
      index.addDocument({ tenantId: ids.a, documentId: docIds.get('Mot de passe oublié')!, title: 'x', sourceUrl: null, chunks: [{ ordinal: 0, heading: '', text: 'stolen' }] }),
    ).rejects.toThrow();
    expect(await count('chunk', ids.a)).toBe(before);
  });

  it('re-indexing a document replaces its chunks instead of duplicating them', async () => {
    const before = await count('chunk', ids.a);
    const id = docIds.get('Connecting to the VPN')!;
    await index.addDocument({ tenantId: ids.a, documentId: id, title: 'Connecting to the VPN', sourceUrl: null, chunks: chunkDocument(TENANT_A[2].content, 'text/markdown') });
    expect(await count('chunk', ids.a)).toBe(before);
    await expectStatsExact(ids.a);
    const hits = await index.forTenant(ids.a).search('VPN disconnects', 10);
    expect(hits.filter((h) => h.documentId === id)).toHaveLength(1);

    await index.addDocument({ tenantId: ids.a, documentId: id, title: 'Connecting to the VPN', sourceUrl: null, chunks: [] });
    expect(await index.forTenant(ids.a).search('VPN disconnects', 10)).toEqual([]);
    await expectStatsExact(ids.a);
    await index.addDocument({ tenantId: ids.a, documentId: id, title: 'Connecting to the VPN', sourceUrl: null, chunks: chunkDocument(TENANT_A[2].content, 'text/markdown') });
    expect(await count('chunk', ids.a)).toBe(before);
  });

  it('keeps the BM25 totals exact under concurrent indexing', async () => {
    const many = Array.from({ length: 12 }, (_, i): Doc => ({
      title: `Badge reader ${i}`,
      mimeType: 'text/plain',
      content: `Badge reader number ${i} opens door ${i}.\n\nIf the badge is refused, call security on extension ${1000 + i}.`,
    }));
    await Promise.all(many.map((d) => addDoc(ids.a, d)));
    await expectStatsExact(ids.a);
    const [first] = await index.forTenant(ids.a).search('badge reader 7 refused', 3);
    expect(first.title).toBe('Badge reader 7');
  });

  it('grounds related questions and rejects unrelated ones', async () => {
    const policy = new GroundingPolicy();
    const retriever = index.forTenant(ids.a);
    for (const q of ['Comment réinitialiser mon mot de passe ?', 'How do I reset my password?', 'The VPN keeps disconnecting']) {
      const d = policy.select(q, await retriever.search(q, 10));
      expect(d.grounded, q).toBe(true);
      expect(d.passages.length).toBeLessThanOrEqual(4);
    }
    for (const q of ['What is the capital of Peru?', 'recette de la tarte aux pommes', 'Who won the 1998 football world cup?']) {
      const d = policy.select(q, await retriever.search(q, 10));
      expect(d, q).toEqual({ grounded: false, passages: [] });
    }
  });

  it('removeDocument removes the chunks of that document only', async () => {
    const id = docIds.get('Connecting to the VPN')!;
    await index.removeDocument(ids.a, id);
    const left = await sql.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM chunk WHERE document_id = $1`, [id]);
    expect(left[0].n).toBe(0);
    await expectStatsExact(ids.a);
    expect(await index.forTenant(ids.a).search('VPN GlobalProtect', 5)).toEqual([]);
    expect((await index.forTenant(ids.a).search('mot de passe', 5)).length).toBeGreaterThan(0);
  });

  it('deleting a document row takes its index rows with it', async () => {
    const id = docIds.get('Imprimantes du service de radiologie')!;
    await sql.query(`DELETE FROM document WHERE id = $1`, [id]);
    const rows = await sql.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM chunk WHERE document_id = $1`, [id]);
    expect(rows[0].n).toBe(0);
    await expectStatsExact(ids.a);
    expect(await index.forTenant(ids.a).search('imprimante bourrage', 5)).toEqual([]);
  });

  it("removeTenant erases the tenant's index and leaves the other tenant's intact", async () => {
    const bChunks = await count('chunk', ids.b);
    const bTerms = await count('posting', ids.b);
    await index.removeTenant(ids.a);
    expect(await count('chunk', ids.a)).toBe(0);
    expect(await count('posting', ids.a)).toBe(0);
    await expectStatsExact(ids.a);
    await expectStatsExact(ids.b);
    expect(await index.forTenant(ids.a).search('mot de passe', 5)).toEqual([]);
    expect(await count('chunk', ids.b)).toBe(bChunks);
    expect(await count('posting', ids.b)).toBe(bTerms);
    expect((await index.forTenant(ids.b).search('mot de passe oublié', 5))[0].title).toBe('Mot de passe oublié');
  });

  it('deleting the tenant row leaves nothing of it in the index', async () => {
    await sql.query(`DELETE FROM tenant WHERE id = $1`, [ids.b]);
    for (const table of ['chunk', 'chunk_stats']) {
      const rows = await sql.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [ids.b]);
      expect(rows[0].n, table).toBe(0);
    }
    expect(await index.forTenant(ids.b).search('mot de passe oublié', 5)).toEqual([]);
  });
});
