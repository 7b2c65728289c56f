import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyHasher } from '../../src/services/key-hasher';

describe('KeyHasher', () => {
  it('gives createHmac-SHA-256 hex for any pepper and key, so stored key hashes stay valid', () => {
    // Peppers shorter than, equal to and longer than SHA-256's 64-byte block (a longer one is hashed first), and non-ASCII.
    const peppers = ['p', 'x'.repeat(64), 'y'.repeat(65), 'é€'.repeat(30), randomBytes(32).toString('base64url')];
    const keys = ['', `sk_enterprise_${randomBytes(32).toString('base64url')}`, 'sk_admin_é', 'z'.repeat(300)];
    for (const pepper of peppers) {
      const hasher = new KeyHasher(pepper);
      for (const key of keys) expect(hasher.hex(key), `${pepper} / ${key}`).toBe(createHmac('sha256', pepper).update(key).digest('hex'));
    }
  });
});
