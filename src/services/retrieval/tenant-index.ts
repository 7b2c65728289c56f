import type { Bm25Params } from './pg-retriever';

/** One chunk as the load statement returns it (tenant-index-cache.ts): its forward index, terms space-separated. */
export interface ForwardRow {
  seq: number;
  lang: string;
  title_len: number;
  body_len: number;
  /** The chunk's distinct terms (bare stems), separated by spaces; analysed terms hold none. */
  terms: string;
  /** Per term, its count in the title field then in the body, each an unsigned 16-bit big-endian integer. */
  tfs: Uint8Array;
}

/** Where the tenant's chunks stood when they were read: chunk_stats' counters (ForwardIndex migration). */
export interface IndexVersion {
  version: number;
  removals: number;
}

/** The best chunks of one search, best first, with what the grounding evidence needs. */
export interface Hits {
  seqs: number[];
  scores: number[];
  /** Per hit, the query keys (`lang:term`) its chunk holds. */
  matched: string[][];
}

/**
 * A term's postings, in chunk order: the chunk's slot and the term's counts in its title and body fields, at
 * `offset`..`offset + length` of its arrays. A tenant loaded at once shares three arrays among all its terms (one
 * allocation instead of three per term: loading 100k chunks spent most of its time allocating small arrays); a term
 * that grows afterwards moves to arrays of its own.
 */
class PostingList {
  slots: Int32Array;
  title: Uint16Array;
  body: Uint16Array;
  offset = 0;
  length = 0;
  private shared: boolean;

  constructor(shared?: { slots: Int32Array; title: Uint16Array; body: Uint16Array; offset: number }) {
    this.slots = shared?.slots ?? new Int32Array(2);
    this.title = shared?.title ?? new Uint16Array(2);
    this.body = shared?.body ?? new Uint16Array(2);
    this.offset = shared?.offset ?? 0;
    this.shared = shared !== undefined;
  }

  /** Where the list is being filled in place (a bulk load), the next posting. */
  fill(slot: number, title: number, body: number): void {
    const at = this.offset + this.length++;
    this.slots[at] = slot;
    this.title[at] = title;
    this.body[at] = body;
  }

  push(slot: number, title: number, body: number): void {
    if (this.shared || this.length === this.slots.length) {
      const size = Math.max(2, this.length * 2);
      const end = this.offset + this.length;
      this.slots = grow(this.slots.subarray(this.offset, end), new Int32Array(size));
      this.title = grow(this.title.subarray(this.offset, end), new Uint16Array(size));
      this.body = grow(this.body.subarray(this.offset, end), new Uint16Array(size));
      this.offset = 0;
      this.shared = false;
    }
    this.fill(slot, title, body);
  }

  /** Keeps the postings of slots that `slotOf` maps to a new slot (not -1), renumbered; order is kept. */
  keep(slotOf: Int32Array): void {
    let to = this.offset;
    const end = this.offset + this.length;
    for (let i = this.offset; i < end; i++) {
      const slot = slotOf[this.slots[i]];
      if (slot < 0) continue;
      this.slots[to] = slot;
      this.title[to] = this.title[i];
      this.body[to] = this.body[i];
      to++;
    }
    this.length = to - this.offset;
  }

  /** Binary search: slots are appended in increasing order. */
  has(slot: number): boolean {
    let lo = this.offset;
    let hi = this.offset + this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.slots[mid];
      if (s === slot) return true;
      if (s < slot) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}

// Rows of a first load between two yields to the event loop: about 50–100 ms of work at 80 postings a chunk.
const LOAD_SLICE = 1000;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function grow<T extends Int32Array | Uint16Array | Float64Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * The distinct terms of one language met by a bulk load, each with its id. Looked up by a stretch of a row's text
 * (`text[start..end)`), hashed from its characters into an open-addressing table: a posting then costs a hash and
 * one comparison with the term met before, where splitting the row made a string per posting and a Map lookup
 * hashed it again (most of a 100k-chunk load's time went to those). Only a term met for the first time becomes a
 * string of its own.
 */
class TermIds {
  private readonly terms: string[] = [];
  private ids = new Int32Array(0);
  // Two entries per slot: the index in `terms` of the term it holds plus one (0: empty), and the term's hash, which
  // rules out most other terms without reading them.
  private table = new Int32Array(2 * 1024);
  // Where `find` stopped, for the `add` that follows a miss.
  private hash = 0;
  private slot = 0;

  /** The id of `text[start..end)`, or -1 when it was not met yet. */
  find(text: string, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    const { table } = this;
    const mask = table.length - 2;
    const length = end - start;
    for (let s = (h << 1) & mask; ; s = (s + 2) & mask) {
      const held = table[s] - 1;
      if (held < 0) {
        this.hash = h;
        this.slot = s;
        return -1;
      }
      if (table[s + 1] !== h) continue;
      const term = this.terms[held];
      if (term.length === length && text.startsWith(term, start)) return this.ids[held];
    }
  }

  /** Records `text[start..end)`, which the last `find` missed, with `id`. */
  add(text: string, start: number, end: number, id: number): void {
    const index = this.terms.length;
    this.terms.push(text.slice(start, end));
    if (index === this.ids.length) this.ids = grow(this.ids, new Int32Array(Math.max(256, 2 * index)));
    this.ids[index] = id;
    this.table[this.slot] = index + 1;
    this.table[this.slot + 1] = this.hash;
    // At most half full, so a miss finds an empty slot after a few probes.
    if (4 * (index + 1) > this.table.length) this.rehash();
  }

  /** Each term's posting list, by term. */
  lists(byId: PostingList[]): Map<string, PostingList> {
    return new Map(this.terms.map((term, i) => [term, byId[this.ids[i]]]));
  }

  private rehash(): void {
    const from = this.table;
    this.table = new Int32Array(2 * from.length);
    const mask = this.table.length - 2;
    for (let f = 0; f < from.length; f += 2) {
      if (from[f] === 0) continue;
      let s = (from[f + 1] << 1) & mask;
      while (this.table[s] !== 0) s = (s + 2) & mask;
      this.table[s] = from[f];
      this.table[s + 1] = from[f + 1];
    }
  }
}

/**
 * One tenant's inverted index, in this process's memory: per term (`lang:term`) its postings in typed arrays, per
 * chunk (a slot, in seq order) its seq, language and field lengths, and the totals BM25F needs. Built from the
 * chunks' forward index (`chunk.terms`, `chunk.tfs`), grown by appending chunks of higher seq, and shrunk to the
 * chunks still there after a removal (`retain`), so a change costs the chunks it touched, not a reload.
 *
 * Search is exact: every posting of every query term is scored, into one accumulator per chunk. At 100k chunks
 * that is a few hundred thousand postings for a long question, a few milliseconds; no candidate bound is needed.
 */
export class TenantIndex {
  private seqs = new Int32Array(64);
  private titleLens = new Int32Array(64);
  private bodyLens = new Int32Array(64);
  private langs: string[] = [];
  // Per language, per term: keyed apart rather than by `lang:term`, which loading would build for every posting.
  private readonly lists = new Map<string, Map<string, PostingList>>();
  private readonly langChunks = new Map<string, number>();
  private titleTotal = 0;
  private bodyTotal = 0;
  /** Number of chunks (slots in use). */
  count = 0;
  postings = 0;
  lastSeq = 0;

  // Scratch of one search, reused: scores by slot, and which slots this search has touched.
  private scores = new Float64Array(64);
  private stamps = new Uint32Array(64);
  private stamp = 0;
  private touched = new Int32Array(64);
  // Per-chunk length normalisations for one set of BM25F constants, valid while `count` is unchanged.
  private norms: { params: Bm25Params; count: number; title: Float64Array; body: Float64Array } | null = null;

  constructor(public version: IndexVersion) {}

  /**
   * Appends chunks of seq above `lastSeq`, in seq order. Only the first load of a tenant is asynchronous: it yields to
   * the event loop between slices of rows, since it is seconds of work at 100k chunks that would otherwise stall every
   * other request of the process (health checks included). The index is not searched until it returns.
   */
  async append(rows: ForwardRow[]): Promise<void> {
    if (this.count === 0 && rows.length > 1) {
      await this.load(rows);
      return;
    }
    for (const row of rows) {
      this.reserve(this.count + 1);
      const slot = this.place(row);
      if (row.terms === '') continue;
      const terms = row.terms.split(' ');
      const tfs = row.tfs;
      let lists = this.lists.get(row.lang);
      if (!lists) this.lists.set(row.lang, (lists = new Map()));
      for (let i = 0; i < terms.length; i++) {
        let list = lists.get(terms[i]);
        if (!list) lists.set(terms[i], (list = new PostingList()));
        list.push(slot, (tfs[4 * i] << 8) | tfs[4 * i + 1], (tfs[4 * i + 2] << 8) | tfs[4 * i + 3]);
      }
      this.postings += terms.length;
    }
  }

  /**
   * The first rows of an empty index, in two passes: the terms of every posting and each term's document frequency,
   * then every list filled in place in arrays shared by all (PostingList). Terms are read from each row's text in
   * place (TermIds), never split into strings of their own.
   */
  private async load(rows: ForwardRow[]): Promise<void> {
    const byLang = new Map<string, TermIds>();
    let dfs = new Int32Array(1024);
    let total = 0;
    for (const row of rows) total += row.terms === '' ? 0 : row.tfs.length >> 2;
    let ids = new Int32Array(total);
    total = 0;
    let terms = 0;
    this.reserve(rows.length);
    for (const row of rows) {
      if (this.count % LOAD_SLICE === LOAD_SLICE - 1) await yieldToEventLoop();
      this.place(row);
      const text = row.terms;
      if (text === '') continue;
      let known = byLang.get(row.lang);
      if (!known) byLang.set(row.lang, (known = new TermIds()));
      for (let start = 0; start <= text.length; ) {
        let end = text.indexOf(' ', start);
        if (end < 0) end = text.length;
        let id = known.find(text, start, end);
        if (id < 0) {
          known.add(text, start, end, (id = terms++));
          if (terms > dfs.length) dfs = grow(dfs, new Int32Array(2 * dfs.length));
        }
        dfs[id]++;
        // Sized from the rows' tfs (four bytes a term); grown should a row hold more terms than that.
        if (total === ids.length) ids = grow(ids, new Int32Array(Math.max(1024, 2 * ids.length)));
        ids[total++] = id;
        start = end + 1;
      }
    }
    // Each term's postings start where the previous term's end; `next` is where its next posting goes.
    const shared = { slots: new Int32Array(total), title: new Uint16Array(total), body: new Uint16Array(total), offset: 0 };
    const byId: PostingList[] = new Array(terms);
    const next = new Int32Array(terms);
    for (let id = 0; id < terms; id++) {
      byId[id] = new PostingList(shared);
      byId[id].length = dfs[id];
      next[id] = shared.offset;
      shared.offset += dfs[id];
    }
    for (const [lang, known] of byLang) this.lists.set(lang, known.lists(byId));
    const { slots, title, body } = shared;
    let p = 0;
    for (let slot = 0; slot < rows.length; slot++) {
      if (slot % LOAD_SLICE === LOAD_SLICE - 1) await yieldToEventLoop();
      const tfs = rows[slot].tfs;
      const n = rows[slot].terms === '' ? 0 : tfs.length >> 2;
      for (let i = 0; i < n; i++) {
        const at = next[ids[p++]]++;
        slots[at] = slot;
        title[at] = (tfs[4 * i] << 8) | tfs[4 * i + 1];
        body[at] = (tfs[4 * i + 2] << 8) | tfs[4 * i + 3];
      }
    }
    this.postings = total;
  }

  /** Records a chunk's own figures (seq, field lengths, language, totals) in the next slot, which must exist; returns it. */
  private place(row: ForwardRow): number {
    const slot = this.count++;
    this.seqs[slot] = row.seq;
    this.titleLens[slot] = row.title_len;
    this.bodyLens[slot] = row.body_len;
    this.langs[slot] = row.lang;
    this.lastSeq = row.seq;
    this.titleTotal += row.title_len;
    this.bodyTotal += row.body_len;
    this.langChunks.set(row.lang, (this.langChunks.get(row.lang) ?? 0) + 1);
    return slot;
  }

  /**
   * Keeps only the chunks whose seq is in `alive` (ascending; the seqs up to `lastSeq` the tenant still holds):
   * slots are renumbered in order and each posting list compacted in place, one pass over the postings.
   */
  retain(alive: number[]): void {
    const slotOf = new Int32Array(this.count).fill(-1);
    let kept = 0;
    for (let slot = 0, i = 0; slot < this.count; slot++) {
      while (i < alive.length && alive[i] < this.seqs[slot]) i++;
      if (i < alive.length && alive[i] === this.seqs[slot]) slotOf[slot] = kept++;
    }
    if (kept === this.count) return;
    this.titleTotal = 0;
    this.bodyTotal = 0;
    this.langChunks.clear();
    for (let slot = 0; slot < this.count; slot++) {
      const to = slotOf[slot];
      if (to < 0) continue;
      this.seqs[to] = this.seqs[slot];
      this.titleLens[to] = this.titleLens[slot];
      this.bodyLens[to] = this.bodyLens[slot];
      this.langs[to] = this.langs[slot];
      this.titleTotal += this.titleLens[to];
      this.bodyTotal += this.bodyLens[to];
      this.langChunks.set(this.langs[to], (this.langChunks.get(this.langs[to]) ?? 0) + 1);
    }
    this.langs.length = kept;
    this.count = kept;
    this.postings = 0;
    for (const lists of this.lists.values()) {
      for (const [term, list] of lists) {
        list.keep(slotOf);
        if (list.length === 0) lists.delete(term);
        this.postings += list.length;
      }
    }
    this.norms = null;
  }

  /** How many chunks hold `key` (`lang:term`). */
  df(key: string): number {
    return this.list(key)?.length ?? 0;
  }

  private list(key: string): PostingList | undefined {
    const colon = key.indexOf(':');
    return this.lists.get(key.slice(0, colon))?.get(key.slice(colon + 1));
  }

  /**
   * The `limit` best chunks for weighted query keys by BM25F, best first (ties: lower seq first). The formula of the
   * former search statement: a term's idf counts the chunks of its own language only (the other analysis of a
   * question would otherwise find its everyday words rare among a handful of other-language chunks and put those
   * first), and each field has its own length normalisation against the tenant's average lengths.
   */
  search(keys: string[], weights: number[], params: Bm25Params, limit: number): Hits {
    const hits: Hits = { seqs: [], scores: [], matched: [] };
    if (this.count === 0 || limit <= 0) return hits;
    const { title: titleNorm, body: bodyNorm } = this.normsFor(params);
    const { k1 } = params;
    if (++this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    const { scores, stamps, touched, stamp } = this;
    let touchedCount = 0;
    const used: PostingList[] = [];
    const usedKeys: string[] = [];
    for (let t = 0; t < keys.length; t++) {
      const list = this.list(keys[t]);
      if (!list || list.length === 0) continue;
      const df = list.length;
      used.push(list);
      usedKeys.push(keys[t]);
      const n = this.langChunks.get(keys[t].slice(0, keys[t].indexOf(':'))) ?? this.count;
      const idf = weights[t] * Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const { slots, title, body, offset } = list;
      for (let i = offset; i < offset + df; i++) {
        const s = slots[i];
        const tf = title[i] * titleNorm[s] + body[i] * bodyNorm[s];
        const add = (idf * tf) / (k1 + tf);
        if (stamps[s] !== stamp) {
          stamps[s] = stamp;
          scores[s] = add;
          touched[touchedCount++] = s;
        } else scores[s] += add;
      }
    }

    // Top `limit` by score, then slot (seq order), kept sorted in two small arrays.
    const bestSlots: number[] = [];
    const bestScores: number[] = [];
    for (let i = 0; i < touchedCount; i++) {
      const s = touched[i];
      const v = scores[s];
      const last = bestSlots.length - 1;
      if (bestSlots.length === limit && (v < bestScores[last] || (v === bestScores[last] && s > bestSlots[last]))) continue;
      let at = bestSlots.length;
      while (at > 0 && (bestScores[at - 1] < v || (bestScores[at - 1] === v && bestSlots[at - 1] > s))) at--;
      bestSlots.splice(at, 0, s);
      bestScores.splice(at, 0, v);
      if (bestSlots.length > limit) {
        bestSlots.pop();
        bestScores.pop();
      }
    }
    for (let i = 0; i < bestSlots.length; i++) {
      hits.seqs.push(this.seqs[bestSlots[i]]);
      hits.scores.push(bestScores[i]);
      hits.matched.push(usedKeys.filter((_, t) => used[t].has(bestSlots[i])));
    }
    return hits;
  }

  private normsFor(params: Bm25Params): { title: Float64Array; body: Float64Array } {
    if (this.norms && this.norms.params === params && this.norms.count === this.count) return this.norms;
    const { b, titleWeight, titleB } = params;
    const avgTitle = Math.max(this.titleTotal / Math.max(this.count, 1), 1);
    const avgBody = Math.max(this.bodyTotal / Math.max(this.count, 1), 1);
    const title = new Float64Array(this.count);
    const body = new Float64Array(this.count);
    for (let s = 0; s < this.count; s++) {
      title[s] = titleWeight / (1 - titleB + (titleB * this.titleLens[s]) / avgTitle);
      body[s] = 1 / (1 - b + (b * this.bodyLens[s]) / avgBody);
    }
    this.norms = { params, count: this.count, title, body };
    return this.norms;
  }

  private reserve(wanted: number): void {
    if (wanted <= this.seqs.length) return;
    const size = Math.max(wanted, 2 * this.seqs.length);
    this.seqs = grow(this.seqs, new Int32Array(size));
    this.titleLens = grow(this.titleLens, new Int32Array(size));
    this.bodyLens = grow(this.bodyLens, new Int32Array(size));
    this.scores = new Float64Array(size);
    this.stamps = new Uint32Array(size);
    this.stamp = 0;
    this.touched = new Int32Array(size);
  }
}
