import 'reflect-metadata';
import path from 'node:path';
import { loadConfig } from '../config';
import { openDatabase } from '../database';
import { AuditService } from '../services/audit.service';
import { createIndex } from '../services/backends';
import { DocumentFields, DocumentService } from '../services/document.service';
import type { Actor } from '../caller';
import { DataLayer } from '../services/data/data-layer';
import { documentFiles, readDocument } from './files';

const BATCH = 50;

/**
 * `npm run ingest -- <tenant-id> <folder>`: adds every .md/.txt/.html file under a folder to a tenant, in batches,
 * reading one batch of files at a time so thousands of documents don't sit in memory together. Uses the same
 * configuration as the server (stop an embedded server first: PGlite serves one process).
 */
async function main(): Promise<void> {
  const [tenantId, folder] = process.argv.slice(2);
  if (!tenantId || !folder) {
    console.error('usage: npm run ingest -- <tenant-id> <folder>');
    process.exit(2);
  }
  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const data = new DataLayer(database.dataSource);
  const index = await createIndex(config, database.dataSource);
  const documents = new DocumentService(data, index, new AuditService(data));
  const actor: Actor = { keyId: null, keyPrefix: 'cli:ingest' };
  if (!(await data.operator.tenant(tenantId))) throw new Error(`No tenant ${tenantId}.`);
  const scope = data.forTenant(tenantId);

  let added = 0;
  let skipped = 0;
  let chunks = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const inputs: DocumentFields[] = batch.map(readDocument);
    const result = await documents.add(actor, scope, inputs);
    added += result.documents.length;
    skipped += result.skippedDuplicates;
    chunks += result.chunkCount;
    console.log(`${added + skipped} files read: ${added} added, ${skipped} duplicates skipped, ${chunks} chunks`);
    batch = [];
  };
  for (const file of documentFiles(path.resolve(folder))) {
    batch.push(file);
    if (batch.length === BATCH) await flush();
  }
  await flush();
  await index.close?.();
  await database.close();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
