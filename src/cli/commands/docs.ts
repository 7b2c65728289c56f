import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { AddDocumentsDocument } from '../../contract/operations.generated';
import { documentFiles, readDocument, Skipped, skippedNote } from '../files';
import { intOption, resolveTenant, sessionOf, usageError } from '../session';

// The server takes at most 1000 documents and 32 MB per request; batches stay well under both, so a slow link
// or a large file never makes one request fail for a whole folder.
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/** `askdesk docs ingest <tenant> <folder>`: every .md/.txt/.html file, in batches through addDocuments. */
export function docsCommand(): Command {
  const docs = new Command('docs').description("a tenant's documents");

  docs
    .command('ingest')
    .description('add every .md, .txt and .html file under a folder (same content again is skipped)')
    .argument('<tenant>', 'tenant id or slug')
    .argument('<folder>', 'folder to read, sub-folders included')
    .option('--batch <n>', 'documents per request (1 to 1000)', intOption(1, 1000), 50)
    .action(async (ref: string, folder: string, options, command: Command) => {
      const root = path.resolve(folder);
      if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) usageError(`${folder} is not a folder.`);
      const { api, print } = sessionOf(command);
      const tenant = await resolveTenant(api, ref);
      const skipped: Skipped = { symlinks: 0 };
      const files = [...documentFiles(root, skipped)];
      const note = skippedNote(skipped);
      if (note) print(note);
      if (files.length === 0) return print(`no .md, .txt or .html file under ${folder}.`);

      // A bar on a terminal; plain lines when the output goes to a file or a pipe (logs, CI).
      const bar = process.stderr.isTTY ? new SingleBar({ format: 'ingesting {bar} {value}/{total} files | {added} added, {skipped} skipped' }, Presets.shades_classic) : null;
      const totals = { read: 0, added: 0, skipped: 0, chunks: 0 };
      bar?.start(files.length, 0, { added: 0, skipped: 0 });
      const send = async (batch: ReturnType<typeof readDocument>[]) => {
        const data = await api.request(AddDocumentsDocument, { tenantId: tenant.id, documents: batch });
        const result = data.addDocuments;
        totals.read += batch.length;
        totals.added += result.documents.length;
        totals.skipped += result.skippedDuplicates;
        totals.chunks += result.chunkCount;
        if (bar) bar.update(totals.read, { added: totals.added, skipped: totals.skipped });
        else print(`${totals.read}/${files.length} files: ${totals.added} added, ${totals.skipped} duplicates skipped, ${totals.chunks} chunks`);
      };
      try {
        let batch: ReturnType<typeof readDocument>[] = [];
        let bytes = 0;
        for (const file of files) {
          const doc = readDocument(file);
          const size = Buffer.byteLength(doc.content);
          if (batch.length > 0 && (batch.length >= options.batch || bytes + size > MAX_BATCH_BYTES)) {
            await send(batch);
            batch = [];
            bytes = 0;
          }
          batch.push(doc);
          bytes += size;
        }
        if (batch.length > 0) await send(batch);
      } finally {
        bar?.stop();
      }
      print(`${tenant.slug}: ${totals.added} documents added, ${totals.skipped} duplicates skipped, ${totals.chunks} chunks indexed`);
    });

  return docs;
}
