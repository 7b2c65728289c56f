import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { gunzipSync } from 'fflate';

/*
 * PGlite's server settings, on top of its own defaults. Its shared buffers live in the WASM heap and are all touched
 * at start: 128 MB of them took idle RSS from ~170 MB to ~300 MB, and one API process reads far less than that
 * (the OS page cache still holds the files). PGlite runs no checkpointer (PgMaintenance asks for checkpoints while
 * documents are indexed), and a checkpoint keeps up to max_wal_size of recycled segments: 32 MB (two segments) rather
 * than the default 1 GB, which was most of the data directory after a large ingestion. PGlite already
 * runs without fsync, so full-page images in the WAL protect nothing and only slow writes down. work_mem covers a
 * search's sort and hash of candidate postings in memory.
 */
const START_PARAMS = [
  ...PGlite.defaultStartParams,
  ...['shared_buffers=16MB', 'max_wal_size=32MB', 'min_wal_size=32MB', 'full_page_writes=off', 'work_mem=16MB'].flatMap(
    (setting) => ['-c', setting],
  ),
];

/**
 * The embedded database of DATA_DIR (in memory without one). Only PGlite itself is loaded here, so main.ts can start
 * it before the rest of the code loads: its WASM compiles on V8's background threads meanwhile.
 */
export function openDataDirPglite(dataDir: string | null): Promise<PGlite> {
  if (!dataDir) return openPglite();
  fs.mkdirSync(dataDir, { recursive: true });
  return openPglite(path.join(dataDir, 'pgdata'));
}

/** A freshly initialised data directory, as a gzipped tarball, written at install (`prepare`) next to the build. */
export const PGDATA_TEMPLATE = path.resolve(__dirname, '..', 'pgdata-template.tar.gz');

/**
 * Opens PGlite in `dataDir` (in memory without one). A new data directory is unpacked from PGDATA_TEMPLATE when
 * there is one: initdb inside PGlite took 5–6 s of a first start and left a second WASM instance's memory behind
 * (idle RSS ~700 MB after a first start instead of ~250 MB). The template is unpacked here rather than through
 * PGlite's `loadDataDir`, which kept the unpacked archive alive (~75 MB more RSS for the life of the process).
 */
export async function openPglite(dataDir?: string, template = PGDATA_TEMPLATE): Promise<PGlite> {
  if (dataDir && !fs.existsSync(path.join(dataDir, 'PG_VERSION')) && fs.existsSync(template)) {
    try {
      unpackTar(gunzipSync(fs.readFileSync(template)), dataDir);
      const pglite = new PGlite(dataDir, { startParams: START_PARAMS });
      await pglite.waitReady;
      return pglite;
    } catch {
      // A template another PGlite version wrote, say: the directory was new, so start it over the slow way.
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const pglite = new PGlite(dataDir, { startParams: START_PARAMS });
  await pglite.waitReady;
  return pglite;
}

/** Unpacks the plain ustar archive PGlite's dumpDataDir writes (directories and regular files only). */
function unpackTar(tar: Uint8Array, into: string): void {
  const text = (from: number, length: number) => {
    const bytes = tar.subarray(from, from + length);
    const end = bytes.indexOf(0);
    return Buffer.from(end < 0 ? bytes : bytes.subarray(0, end)).toString('utf8');
  };
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = text(at, 100);
    if (!name) break;
    const prefix = text(at + 345, 155);
    const relative = (prefix ? `${prefix}/${name}` : name).replace(/^\/+/, '');
    if (relative.split('/').includes('..')) throw new Error(`unsafe path in the PGlite template: ${relative}`);
    const size = parseInt(text(at + 124, 12).trim() || '0', 8);
    const mode = parseInt(text(at + 100, 8).trim() || '600', 8);
    const type = String.fromCharCode(tar[at + 156]);
    const target = path.join(into, relative);
    if (type === '5') fs.mkdirSync(target, { recursive: true, mode });
    else if (type === '0' || type === '\0') {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, tar.subarray(at + 512, at + 512 + size), { mode });
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

/**
 * Runs initdb once, in memory, then `prepare` (the migrations, at install), and writes the result to `file`.
 */
export async function writePgdataTemplate(file = PGDATA_TEMPLATE, prepare?: (pglite: PGlite) => Promise<void>): Promise<void> {
  const pglite = new PGlite();
  try {
    await pglite.waitReady;
    await prepare?.(pglite);
    // The dump copies files as they are: a checkpoint first, so a first start has no WAL to replay.
    await pglite.query('CHECKPOINT');
    const tar = await pglite.dumpDataDir('gzip');
    fs.writeFileSync(file, Buffer.from(await tar.arrayBuffer()));
  } finally {
    await pglite.close();
  }
}
