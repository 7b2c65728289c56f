import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';

/*
 * PGlite's server settings, on top of its own defaults. Its shared buffers live in the WASM heap and are all touched
 * at start: 128 MB of them took idle RSS from ~170 MB to ~300 MB, and one API process reads far less than that
 * (the OS page cache still holds the files). PGlite already runs without fsync, so full-page images in the WAL
 * protect nothing and only slow writes down. work_mem covers a search's sort and hash of candidate postings in memory.
 *
 * The WAL goes through PGlite's emulated file system, one JavaScript call per write. wal_init_zero=off: a new segment
 * is not filled with zeros first. That nearly doubled the WAL written (282 MB written for 146 MB of WAL while
 * indexing 6k chunks: a checkpoint keeps 4 MB of segments, so most are new), and the zeros only reserve disk space
 * ahead, which without fsync guarantees nothing; a WAL write that finds the disk full still fails before its commit is
 * acknowledged. wal_buffers=4MB (default: 1/32 of shared_buffers, 512 kB) writes the WAL in fewer, larger pieces
 * (14,300 writes → 4,100). Together about 15 % less CPU for an ingestion (alternated runs, 6k chunks).
 */
const SETTINGS = ['shared_buffers=16MB', 'full_page_writes=off', 'work_mem=16MB', 'wal_init_zero=off', 'wal_buffers=4MB'];

/*
 * WAL segments of 1 MB rather than 16: PGlite runs no checkpointer (PgMaintenance asks for checkpoints while
 * documents are indexed), and a checkpoint keeps min_wal_size..max_wal_size of recycled segments, which must be at
 * least two segments. With 16 MB segments that was 32 MB of every data directory (33 of 155 MB after a 10k-chunk
 * ingestion); with 1 MB ones it is 4 MB. The segment size is fixed when a data directory is initialised, so
 * directories made before keep their 16 MB segments and the 32 MB they need.
 */
const WAL_SEGMENT_MB = 1;
const INITDB_PARAMS = [`--wal-segsize=${WAL_SEGMENT_MB}`];
const KEPT_WAL_MB = 4;

function startParams(walSegmentMb: number): string[] {
  const least = 2 * walSegmentMb;
  const wal = [`min_wal_size=${least}MB`, `max_wal_size=${Math.max(KEPT_WAL_MB, least)}MB`];
  return [...PGlite.defaultStartParams, ...[...SETTINGS, ...wal].flatMap((setting) => ['-c', setting])];
}

/**
 * The WAL segment size of an existing data directory, in MB: every segment file in pg_wal is preallocated to it
 * (their names are 24 hex digits). A new directory gets WAL_SEGMENT_MB.
 */
function walSegmentMb(dataDir: string | undefined): number {
  if (!dataDir || !fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return WAL_SEGMENT_MB;
  const wal = path.join(dataDir, 'pg_wal');
  const segment = fs.readdirSync(wal).find((name) => /^[0-9A-F]{24}$/.test(name));
  const bytes = segment ? fs.statSync(path.join(wal, segment)).size : 0;
  return bytes >= 1024 * 1024 ? bytes / (1024 * 1024) : WAL_SEGMENT_MB;
}

// Options in the first argument: `new PGlite(undefined, options)` drops the options, so the in-memory databases
// (the template's, the tests') ran on PGlite's defaults (128 MB shared buffers, 16 MB WAL segments).
function newPglite(dataDir?: string): PGlite {
  return new PGlite({ dataDir, startParams: startParams(walSegmentMb(dataDir)), initDbStartParams: INITDB_PARAMS });
}

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
 * (idle RSS ~700 MB after a first start instead of ~250 MB). The template is unpacked here, streaming, rather than
 * through PGlite's `loadDataDir`, which kept the unpacked archive alive (~75 MB more RSS for the life of the process);
 * unpacking it whole in memory (41 MB) still left ~40 MB of idle RSS behind, and fflate's gunzip took ~3 × zlib's time.
 */
export async function openPglite(dataDir?: string, template = PGDATA_TEMPLATE): Promise<PGlite> {
  if (dataDir && !fs.existsSync(path.join(dataDir, 'PG_VERSION')) && fs.existsSync(template)) {
    try {
      await unpackTemplate(template, dataDir);
      const pglite = newPglite(dataDir);
      await pglite.waitReady;
      return pglite;
    } catch {
      // A template another PGlite version wrote, say: the directory was new, so start it over the slow way.
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const pglite = newPglite(dataDir);
  await pglite.waitReady;
  return pglite;
}

const TAR_BLOCK = 512;

/**
 * Unpacks the gzipped ustar archive PGlite's dumpDataDir writes (directories and regular files only) as it is
 * decompressed: file contents go to disk chunk by chunk, so at most one chunk and one header are held.
 */
async function unpackTemplate(template: string, into: string): Promise<void> {
  let carried = Buffer.alloc(0); // the start of a header split across chunks
  let fd: number | null = null;
  let toWrite = 0; // bytes of the current file still to come
  let toSkip = 0; // padding up to the next block, or the contents of an entry that is not a file
  try {
    for await (const chunk of fs.createReadStream(template).pipe(zlib.createGunzip()) as AsyncIterable<Buffer>) {
      const data = carried.length > 0 ? Buffer.concat([carried, chunk]) : chunk;
      carried = Buffer.alloc(0);
      let at = 0;
      while (at < data.length) {
        if (toWrite > 0) {
          const n = Math.min(toWrite, data.length - at);
          fs.writeSync(fd!, data, at, n);
          at += n;
          toWrite -= n;
          if (toWrite === 0) fd = closeFile(fd);
        } else if (toSkip > 0) {
          const n = Math.min(toSkip, data.length - at);
          at += n;
          toSkip -= n;
        } else if (data.length - at < TAR_BLOCK) {
          carried = Buffer.from(data.subarray(at));
          break;
        } else {
          const header = data.subarray(at, at + TAR_BLOCK);
          at += TAR_BLOCK;
          const name = tarText(header, 0, 100);
          if (!name) return; // the end-of-archive blocks
          const prefix = tarText(header, 345, 155);
          const relative = (prefix ? `${prefix}/${name}` : name).replace(/^\/+/, '');
          if (relative.split('/').includes('..')) throw new Error(`unsafe path in the PGlite template: ${relative}`);
          const size = parseInt(tarText(header, 124, 12).trim() || '0', 8);
          const mode = parseInt(tarText(header, 100, 8).trim() || '600', 8);
          const type = String.fromCharCode(header[156]);
          const target = path.join(into, relative);
          const padded = Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
          if (type === '0' || type === '\0') {
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fd = fs.openSync(target, 'w', mode);
            toWrite = size;
            toSkip = padded - size;
            if (size === 0) fd = closeFile(fd);
          } else {
            if (type === '5') fs.mkdirSync(target, { recursive: true, mode });
            toSkip = padded;
          }
        }
      }
    }
  } finally {
    closeFile(fd);
  }
}

function closeFile(fd: number | null): null {
  if (fd !== null) fs.closeSync(fd);
  return null;
}

function tarText(header: Buffer, from: number, length: number): string {
  const bytes = header.subarray(from, from + length);
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
}

/**
 * Runs initdb once, then `prepare` (the migrations, at install), and writes the result to `file`. The database is
 * closed before it is packed: a copy of a running one (PGlite's dumpDataDir) makes every first start recover it as
 * after a crash, which left ~24 MB more idle RSS than a start from a directory shut down cleanly (median of 7 fresh
 * starts each: 258 → 234 MB).
 */
export async function writePgdataTemplate(file = PGDATA_TEMPLATE, prepare?: (pglite: PGlite) => Promise<void>): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'askdesk-template-'));
  try {
    const dataDir = path.join(scratch, 'pgdata');
    const pglite = newPglite(dataDir);
    try {
      await pglite.waitReady;
      await prepare?.(pglite);
    } finally {
      await pglite.close();
    }
    fs.writeFileSync(file, zlib.gzipSync(Buffer.concat([...tarEntries(dataDir, ''), Buffer.alloc(2 * TAR_BLOCK)])));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The ustar entries (directories and regular files) under `dir`, named relative to it: what unpackTemplate reads. */
function* tarEntries(dir: string, prefix: string): Generator<Buffer> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      yield tarHeader(name, 0o700, 0, '5');
      yield* tarEntries(full, name);
    } else if (entry.isFile()) {
      const content = fs.readFileSync(full);
      yield tarHeader(name, 0o600, content.length, '0');
      yield content;
      yield Buffer.alloc(Math.ceil(content.length / TAR_BLOCK) * TAR_BLOCK - content.length);
    }
  }
}

function tarHeader(name: string, mode: number, size: number, type: '0' | '5'): Buffer {
  const header = Buffer.alloc(TAR_BLOCK);
  // Names longer than the 100-byte field go in the 155-byte prefix, split at a slash (ustar).
  const split = Buffer.byteLength(name) > 100 ? name.lastIndexOf('/', name.length - 1) : -1;
  header.write(split > 0 ? name.slice(split + 1) : name, 0, 100);
  if (split > 0) header.write(name.slice(0, split), 345, 155);
  header.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
  header.write(type, 156);
  header.write('ustar\0' + '00', 257);
  header.write('        ', 148); // the checksum is computed with its own field as spaces
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}
