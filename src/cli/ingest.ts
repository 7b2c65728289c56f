import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { openDatabase } from '../database';
import { AuditService } from '../services/audit.service';
import { createIndex } from '../services/backends';
import { DocumentFields, DocumentService } from '../services/document.service';
import type { Principal } from '../services/api-key.service';

const MIME: Record<string, string> = { '.md': 'text/markdown', '.markdown': 'text/markdown', '.txt': 'text/plain', '.html': 'text/html', '.htm': 'text/html' };
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
  const documents = new DocumentService(database.dataSource, await createIndex(config, database.dataSource), new AuditService());
  const actor: Principal = { role: 'ADMIN', keyId: null, keyPrefix: 'cli:ingest', tenantId: null, tenant: null, plan: null };
  const [{ n }] = await database.dataSource.query('SELECT count(*)::int AS n FROM tenant WHERE id::text = $1', [tenantId]);
  if (n === 0) throw new Error(`No tenant ${tenantId}.`);

  let added = 0;
  let skipped = 0;
  let chunks = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const inputs: DocumentFields[] = batch.map((file) => ({
      title: titleOf(file),
      content: fs.readFileSync(file, 'utf8'),
      mimeType: MIME[path.extname(file).toLowerCase()],
    }));
    const result = await documents.add(actor, tenantId, inputs);
    added += result.documents.length;
    skipped += result.skippedDuplicates;
    chunks += result.chunkCount;
    console.log(`${added + skipped} files read: ${added} added, ${skipped} duplicates skipped, ${chunks} chunks`);
    batch = [];
  };
  for (const file of walk(path.resolve(folder))) {
    batch.push(file);
    if (batch.length === BATCH) await flush();
  }
  await flush();
  await database.close();
}

function* walk(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (MIME[path.extname(entry.name).toLowerCase()]) yield full;
  }
}

/** The first Markdown heading or HTML <title>, else the file name. */
function titleOf(file: string): string {
  const head = fs.readFileSync(file, 'utf8').slice(0, 4000);
  const found = /^#\s+(.+)$/m.exec(head)?.[1] ?? /<title>([^<]+)<\/title>/i.exec(head)?.[1];
  return (found ?? path.basename(file, path.extname(file))).trim().slice(0, 500);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
