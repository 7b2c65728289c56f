import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * The secret of the key hash. KEY_PEPPER wins; otherwise one is generated at first start and kept in DATA_DIR
 * (never in the database, so a leaked dump alone can't be used to test guessed keys). Several processes sharing a
 * database must share KEY_PEPPER (or DATA_DIR).
 */
export function loadPepper(configured: string | undefined, dataDir: string): { pepper: string; generated: boolean } {
  if (configured) return { pepper: configured, generated: false };
  const file = path.join(dataDir, 'key-pepper');
  if (fs.existsSync(file)) return { pepper: fs.readFileSync(file, 'utf8').trim(), generated: false };
  fs.mkdirSync(dataDir, { recursive: true });
  const pepper = randomBytes(32).toString('base64url');
  // 'wx' refuses to overwrite: if another process won the race, use its pepper.
  try {
    fs.writeFileSync(file, pepper + '\n', { mode: 0o600, flag: 'wx' });
    return { pepper, generated: true };
  } catch {
    return { pepper: fs.readFileSync(file, 'utf8').trim(), generated: false };
  }
}
