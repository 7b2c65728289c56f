import { randomUUID } from 'node:crypto';
import { PgRetrievalIndex } from '../../src/services/retrieval/pg-retrieval-index';
import { withPreparedStatements } from '../../src/services/retrieval/prepared-sql';
import { WeaviateRetrievalIndex } from '../../src/services/retrieval/weaviate-retrieval-index';
import { openTestDatabase } from '../helpers/database';
import { WeaviateFake } from '../fakes/weaviate-fake';
import { describeRetrieverContract } from './retriever-contract';

// One contract, every backend: what the chat service may rely on whichever retriever the configuration picks.

describeRetrieverContract('PostgreSQL', async () => {
  const db = await openTestDatabase();
  const sql = db.dataSource;
  return {
    // As the app builds it: searches run as a prepared statement.
    index: new PgRetrievalIndex(withPreparedStatements(sql)),
    // The PostgreSQL index files chunks only under document rows of the tenant named.
    async newTenant() {
      const slug = `t-${randomUUID()}`;
      const rows = await sql.query<{ id: string }[]>(
        `INSERT INTO tenant (slug, name, contact_email, plan_code) VALUES ($1, $1, 'it@example.com', 'BUSINESS') RETURNING id`,
        [slug],
      );
      return rows[0].id;
    },
    async newDocument(tenantId, title, sourceUrl) {
      const rows = await sql.query<{ id: string }[]>(
        `INSERT INTO document (tenant_id, title, source_url, mime_type, content_hash) VALUES ($1, $2, $3, 'text/plain', $4) RETURNING id`,
        [tenantId, title, sourceUrl, randomUUID()],
      );
      return rows[0].id;
    },
    close: () => db.close(),
  };
});

describeRetrieverContract('Weaviate (weaviate-client v3 against the loopback Weaviate)', async () => {
  const fake = new WeaviateFake();
  await fake.start();
  const { WEAVIATE_URL: url, WEAVIATE_GRPC_URL: grpcUrl } = fake.env();
  const index = new WeaviateRetrievalIndex({ url, grpcUrl });
  return {
    index,
    newTenant: async () => randomUUID(),
    newDocument: async () => randomUUID(),
    close: async () => {
      await index.close();
      await fake.close();
    },
  };
});
