import { createHmac } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLError } from 'graphql';
import { Pool } from 'pg';
import { servePgliteSocket } from '../src/database';
import { openDataDirPglite } from '../src/pglite';

/**
 * The gateway bench's second reference: what a plain RAG endpoint costs on the same stack (Apollo Server and pg on
 * the same database), so our `ask` is priced against work of the same kind rather than against a constant. Per ask:
 * the key looked up by its hash (the same HMAC-SHA-256 under the same pepper as ours, no cache), one full-text
 * query (`ts_rank` over the GIN index of `plain_rag_chunk`, which it builds at start from the tenant's chunks), and
 * one usage row inserted and committed (in `plain_rag_usage`, so our own quota and usage figures stay untouched).
 * No quota, no rate limit, no conversation, no grounding. Prints its URL once listening.
 *
 *   PLAIN_RAG_DATABASE_URL   the database (the bench's scratch database), or
 *   PLAIN_RAG_DATA_DIR       an embedded database's data directory
 *   KEY_PEPPER               the pepper our server hashes keys with
 */
const pepper = process.env.KEY_PEPPER ?? '';

/**
 * Its database: the server at PLAIN_RAG_DATABASE_URL, or the embedded one of PLAIN_RAG_DATA_DIR (a copy of our
 * server's, made while it was stopped), opened with PGlite and reached through a private Unix socket by a pool of
 * one connection, as our server reaches its own.
 */
async function openPool(): Promise<Pool> {
  const dataDir = process.env.PLAIN_RAG_DATA_DIR;
  if (!dataDir) return new Pool({ connectionString: process.env.PLAIN_RAG_DATABASE_URL, application_name: 'plain-rag' });
  const { socketDir, port } = await servePgliteSocket(await openDataDirPglite(dataDir), dataDir);
  return new Pool({ host: socketDir, port, user: 'postgres', database: 'postgres', max: 1 });
}

/**
 * Its index, built at start beside our tables: the same chunks (title, heading and text) as a tsvector in each
 * chunk's language under a GIN index, and the table its usage rows go to.
 */
const BUILD_INDEX = `
  CREATE TABLE plain_rag_chunk (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, lang varchar(2) NOT NULL, title text NOT NULL, text text NOT NULL, tsv tsvector NOT NULL);
  INSERT INTO plain_rag_chunk
    SELECT c.id, c.tenant_id, c.lang, d.title, c.text,
           to_tsvector(CASE c.lang WHEN 'fr' THEN 'french'::regconfig ELSE 'english'::regconfig END, d.title || ' ' || c.heading || ' ' || c.text)
    FROM chunk c JOIN document d ON d.id = c.document_id;
  CREATE INDEX plain_rag_chunk_tsv ON plain_rag_chunk USING gin (tsv);
  CREATE TABLE plain_rag_usage (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, api_key_id uuid NOT NULL, latency_ms integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  ANALYZE plain_rag_chunk;`;

const typeDefs = `
  type Citation { title: String! }
  type AskPayload { answer: String! citations: [Citation!]! }
  input AskInput { question: String! }
  type Query { hello: String }
  type Mutation { ask(input: AskInput!): AskPayload! }
`;

// OR of the question's terms, as a plain endpoint searches (plainto_tsquery alone would AND every word of the
// question and find nothing for most real ones); each chunk is matched in its own language's configuration.
const SEARCH = `
  WITH q AS (
    SELECT replace(plainto_tsquery('english', $2)::text, '&', '|')::tsquery AS en,
           replace(plainto_tsquery('french', $2)::text, '&', '|')::tsquery AS fr
  )
  SELECT c.title, c.text, ts_rank(c.tsv, CASE c.lang WHEN 'fr' THEN q.fr ELSE q.en END) AS rank
  FROM plain_rag_chunk c, q
  WHERE c.tenant_id = $1 AND (c.tsv @@ q.en OR c.tsv @@ q.fr)
  ORDER BY rank DESC
  LIMIT 5`;

interface Context {
  authorization: string;
}

const resolvers = (pool: Pool) => ({
  Query: { hello: () => 'world' },
  Mutation: {
    async ask(_: unknown, { input }: { input: { question: string } }, ctx: Context) {
      const started = Date.now();
      const secret = /^Bearer (.+)$/.exec(ctx.authorization)?.[1] ?? '';
      const hash = createHmac('sha256', pepper).update(secret).digest('hex');
      const key = (await pool.query<{ id: string; tenant_id: string }>(
        'SELECT id, tenant_id FROM api_key WHERE hash = $1 AND revoked_at IS NULL', [hash],
      )).rows[0];
      if (!key) throw new GraphQLError('Unknown key.', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
      const passages = (await pool.query<{ title: string; text: string }>(SEARCH, [key.tenant_id, input.question])).rows;
      await pool.query(
        `INSERT INTO plain_rag_usage (tenant_id, api_key_id, latency_ms) VALUES ($1, $2, $3)`,
        [key.tenant_id, key.id, Date.now() - started],
      );
      return {
        answer: passages.length ? passages[0].text.slice(0, 400) : 'No passage matches the question.',
        citations: passages.map((p) => ({ title: p.title })),
      };
    },
  },
});

async function main() {
  const pool = await openPool();
  await pool.query(BUILD_INDEX);
  const server = new ApolloServer<Context>({ typeDefs, resolvers: resolvers(pool) });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(process.env.PORT ?? 0), host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization ?? '' }),
  });
  console.log(url);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
