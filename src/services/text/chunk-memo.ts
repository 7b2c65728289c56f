import { LRUCache } from 'lru-cache';

/**
 * What a search or an answer derives from a chunk's text (its terms, its sentences), kept for the chunks asked
 * about again. A help desk's questions crowd onto a few documents (the VPN, the password), so the same chunks are
 * analysed on ask after ask: in the ask profile, re-analysing the passages fetched was about a tenth of the Node
 * process's CPU. A chunk's text never changes under its id (a document update writes new chunks), but the entry
 * also keeps the source it was derived from and is only used for that same source, so a renamed document's title
 * or any other change is never served stale.
 *
 * Bounded by the characters of source held (the derived values are a few times that), least recently used first.
 */
export class ChunkMemo<T> {
  private readonly entries: LRUCache<string, { source: string; value: T }>;

  constructor(maxSourceChars = 2_000_000) {
    this.entries = new LRUCache({ maxSize: maxSourceChars, sizeCalculation: (e) => Math.max(1, e.source.length) });
  }

  get(chunkId: string, source: string, derive: (source: string) => T): T {
    const hit = this.entries.get(chunkId);
    if (hit && hit.source === source) return hit.value;
    const value = derive(source);
    this.entries.set(chunkId, { source, value });
    return value;
  }
}
