import { TenantIndex, type ForwardRow, type IndexVersion } from './tenant-index';
import type { Sql } from './types';

/*
 * The tenant's chunks past `$2` (0: all of them), in seq order, with chunk_stats' counters read in the same
 * statement, so the version the index records is the version of the chunks it holds; with `$3`, also the seq alone
 * of each chunk up to `$2`, the chunks an index holding them all may keep after a removal. One row with a null seq
 * when there is no chunk to read.
 */
const LOAD_SQL = `
  SELECT v.version, v.removals, v.chunks, c.seq, c.lang, c.title_len, c.body_len,
         CASE WHEN c.seq > $2 THEN c.terms END AS terms, CASE WHEN c.seq > $2 THEN c.tfs END AS tfs
  FROM (
    SELECT coalesce(max(version), 0)::float8 AS version, coalesce(max(removals), 0)::float8 AS removals,
           coalesce(max(chunks), 0)::float8 AS chunks
    FROM chunk_stats WHERE tenant_id = $1
  ) v
  LEFT JOIN chunk c ON c.tenant_id = $1 AND (c.seq > $2 OR $3)
  ORDER BY c.seq`;

interface LoadRow extends Omit<ForwardRow, 'seq'> {
  version: number;
  removals: number;
  chunks: number;
  seq: number | null;
}

/**
 * This process's in-memory indexes of the tenants it has searched (TenantIndex), least recently searched first out
 * once their postings together pass `maxPostings`. A tenant is loaded on its first search by one SELECT over its
 * chunks. Other processes write too: the retriever compares the version its passage fetch returns with the
 * index's and asks `refresh`, which reads the chunks added since and, when some were removed, the seqs of those
 * still there (TenantIndex.retain), in one SELECT. A tenant larger than the bound alone is still loaded, and kept until another is searched.
 */
export class TenantIndexCache {
  // Map order is the LRU order: a tenant searched is moved to the end.
  private readonly entries = new Map<string, TenantIndex>();
  // One load or refresh per tenant at a time; searches that arrive meanwhile wait for it.
  private readonly pending = new Map<string, Promise<TenantIndex>>();
  private postings = 0;

  constructor(
    private readonly sql: Sql,
    private readonly maxPostings: number,
  ) {}

  /** The tenant's index, loaded if this process holds none. */
  async get(tenantId: string): Promise<TenantIndex> {
    const held = this.entries.get(tenantId);
    if (held) {
      this.entries.delete(tenantId);
      this.entries.set(tenantId, held);
      return held;
    }
    return this.once(tenantId, () => this.load(tenantId, null));
  }

  /** Brings `index` up to `seen` (or later): drops the chunks removed since, adds those added since. */
  async refresh(tenantId: string, index: TenantIndex, seen: IndexVersion): Promise<TenantIndex> {
    if (this.entries.get(tenantId) !== index) return this.get(tenantId);
    if (index.version.version === seen.version && index.version.removals === seen.removals) return index;
    return this.once(tenantId, () => this.load(tenantId, index, seen.removals !== index.version.removals));
  }

  /** Forgets the tenant (its chunks are gone, or going). */
  evict(tenantId: string): void {
    const held = this.entries.get(tenantId);
    if (!held) return;
    this.entries.delete(tenantId);
    this.postings -= weight(held);
  }

  /** Tenants held and their postings, for tests and metrics. */
  get size(): { tenants: number; postings: number } {
    return { tenants: this.entries.size, postings: this.postings };
  }

  private once(tenantId: string, work: () => Promise<TenantIndex>): Promise<TenantIndex> {
    let promise = this.pending.get(tenantId);
    if (!promise) {
      promise = work().finally(() => this.pending.delete(tenantId));
      this.pending.set(tenantId, promise);
    }
    return promise;
  }

  /**
   * Loads the tenant (`from` null), or brings `from` up to date: drops the chunks removed since (when the removal
   * counter moved) and appends those past its last. Reloads when the counts then disagree: a chunk of a lower seq
   * committed after the last one read (two ingestions of one tenant at once on a server) is not past the last.
   */
  private async load(tenantId: string, from: TenantIndex | null, removed = false): Promise<TenantIndex> {
    const lastSeq = from?.lastSeq ?? 0;
    const rows = await this.sql.query<LoadRow[]>(LOAD_SQL, [tenantId, lastSeq, removed]);
    const head = rows[0];
    const version = { version: Number(head.version), removals: Number(head.removals) };
    const chunks = rows.filter((r): r is LoadRow & { seq: number } => r.seq !== null && r.seq > lastSeq);
    if (!from) {
      const index = new TenantIndex(version);
      index.append(chunks);
      this.evict(tenantId);
      this.entries.set(tenantId, index);
      this.postings += weight(index);
      this.bound(tenantId);
      return index;
    }
    // A removal that landed after the fetch which asked for this refresh: read again, with the seqs still there.
    if (!removed && version.removals !== from.version.removals) return this.load(tenantId, from, true);
    const held = this.entries.get(tenantId) === from;
    const before = weight(from);
    if (removed) from.retain(rows.filter((r) => r.seq !== null && r.seq <= lastSeq).map((r) => Number(r.seq)));
    from.append(chunks);
    from.version = version;
    if (held) this.postings += weight(from) - before;
    if (from.count === Number(head.chunks)) return from;
    this.evict(tenantId);
    return this.load(tenantId, null);
  }

  private bound(keep: string): void {
    for (const [tenantId] of this.entries) {
      if (this.postings <= this.maxPostings) return;
      if (tenantId !== keep) this.evict(tenantId);
    }
  }
}

/** What an index weighs against the bound: its postings, and at least one per tenant. */
function weight(index: TenantIndex): number {
  return index.postings + 1;
}
