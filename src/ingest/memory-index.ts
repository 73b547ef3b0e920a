import { scopeCacheKey, type Context } from "../core/context.js";
import { contentWords, termList } from "../core/text.js";
import type { Memory } from "../core/types.js";
import type { MemoryText, ScopeKey, Store } from "../store/types.js";

/**
 * Turns per scope up to which consolidation keeps a whole-scope index in memory (ids and
 * stemmed terms only: about 500 bytes per active memory, ≈ 12 MB for a 30K-turn user);
 * above it, or when the index would not fit {@link INDEX_CACHE_BYTES}, each `remember`
 * reads only its candidates' neighbours through the store's indexes (full-text and slot).
 *
 * @example
 * ```ts
 * const whole = (await store.maxSeq(key)) <= FULL_INDEX_MAX_TURNS; // 250,000 (MNEMO_FULL_INDEX_MAX_TURNS overrides)
 * ```
 */
export const FULL_INDEX_MAX_TURNS = 250_000;

/**
 * Bytes (estimated) that the cached whole-scope indexes of a process may hold together;
 * the least recently used scope is dropped first (`MNEMO_INDEX_CACHE_MB` overrides).
 *
 * @example
 * ```ts
 * const mb = INDEX_CACHE_BYTES / 2 ** 20; // 96
 * ```
 */
export const INDEX_CACHE_BYTES = 96 * 2 ** 20;

/**
 * How many whole-scope indexes a process keeps (the least recently used is dropped).
 *
 * @example
 * ```ts
 * const kept = [...ctx.caches.keys()].filter((k) => k.startsWith("memidx")).length; // ≤ INDEX_CACHE_SCOPES (16)
 * ```
 */
export const INDEX_CACHE_SCOPES = 16;

/** How many full-text hits per candidate a partial index reads (one query for all of them, at most 400). */
const PARTIAL_HITS = 16;

/**
 * An in-memory inverted index of active memories, used by consolidation to find
 * near-duplicates and same-slot facts. For a scope of up to {@link FULL_INDEX_MAX_TURNS}
 * turns it holds the whole scope — ids, stemmed terms and slots, not the rows (those are
 * read from the store, a few per candidate) — kept in the context cache (at most
 * {@link INDEX_CACHE_SCOPES} scopes and {@link INDEX_CACHE_BYTES}) and updated
 * incrementally after this process's own commits; rebuilt whenever the scope's generation
 * shows another writer. For a larger scope it holds only the memories the store finds for
 * this call's candidates (their best full-text matches and same-slot facts).
 *
 * @example
 * ```ts
 * const index = await MemoryIndex.forScope(ctx, { tenant: "default", userId: "alice" });
 * const sameSlot = await index.bySlot("alice|lives_in");
 * ```
 */
export class MemoryIndex {
  generation: number;
  /** Active memory id → its ordinal. */
  private readonly ordinals = new Map<string, number>();
  /** By ordinal (a free ordinal is reused): id, slot, and the scratch counters of {@link MemoryIndex.similar}. */
  private readonly ids: Array<string | null> = [];
  private readonly slotByOrd: Array<string | null> = [];
  private readonly stamps: number[] = [];
  private readonly counts: number[] = [];
  private readonly free: number[] = [];
  private readonly termIds = new Map<string, number>();
  /** Term id → the ordinals holding it, in the order they were put (arrays: most terms are in one or two memories). */
  private readonly postings: number[][] = [];
  private readonly slots = new Map<string, Set<number>>();
  private stamp = 0;
  /** Rows this call has read or written (the index keeps ids, not rows); cleared by {@link MemoryIndex.use}. */
  private readonly held = new Map<string, Memory>();
  private store: Store | null = null;
  private key: ScopeKey | null = null;
  private postingEntries = 0;
  private termChars = 0;
  /** Store reads of rows the prefetch did not cover (tests and benches). */
  reads = 0;

  constructor(generation: number) {
    this.generation = generation;
  }

  /** Loads the index of a scope from the store. */
  static async build(ctx: Context, key: ScopeKey): Promise<MemoryIndex> {
    const index = new MemoryIndex(await ctx.store.generation(key));
    // Page by page, newest first, id, slot and text only: a page is alive at a time and no
    // whole row is decoded (at 100K turns: 2.4 → 1.5 s, and a lower peak of the heap).
    let cursor: string | undefined;
    for (;;) {
      const page = await ctx.store.listMemoryTexts(key, { limit: 1000, cursor });
      for (const m of page.items) index.add(m);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return index;
  }

  /**
   * The index consolidation uses for `candidates`: the whole scope's (cached when no other
   * writer touched the scope), or, for a large scope, the candidates' neighbours only.
   */
  static async forScope(ctx: Context, key: ScopeKey, candidates?: ReadonlyArray<{ text: string; slot: string | null }>): Promise<MemoryIndex> {
    const cacheKey = "memidx\u0000" + scopeCacheKey(key.tenant, key.userId);
    const cached = ctx.caches.get(cacheKey) as MemoryIndex | undefined;
    ctx.caches.delete(cacheKey);
    let index: MemoryIndex;
    if (cached && cached.generation === (await ctx.store.generation(key))) index = cached;
    else {
      const env = Number(process.env.MNEMO_FULL_INDEX_MAX_TURNS);
      const max = process.env.MNEMO_FULL_INDEX_MAX_TURNS !== undefined && Number.isFinite(env) ? env : FULL_INDEX_MAX_TURNS;
      // 0 (or less): always through the store (tests take that path from the first turn).
      if (candidates && (max <= 0 || (await ctx.store.maxSeq(key)) > max)) return (await MemoryIndex.partial(ctx, key, candidates)).use(ctx.store, key);
      index = await MemoryIndex.build(ctx, key);
    }
    ctx.caches.set(cacheKey, index);
    // Least recently used first: the Map keeps insertion order and a use re-inserts.
    const mb = Number(process.env.MNEMO_INDEX_CACHE_MB);
    const budget = process.env.MNEMO_INDEX_CACHE_MB !== undefined && Number.isFinite(mb) ? mb * 2 ** 20 : INDEX_CACHE_BYTES;
    let kept = 0;
    let bytes = 0;
    for (const k of [...ctx.caches.keys()].reverse()) {
      if (!k.startsWith("memidx\u0000")) continue;
      const other = ctx.caches.get(k) as MemoryIndex;
      bytes += other.bytes();
      // The index in use stays (it may be over the budget alone: it goes at its next use's eviction).
      if (k !== cacheKey && (++kept > INDEX_CACHE_SCOPES || bytes > budget)) ctx.caches.delete(k);
      else if (k === cacheKey) kept++;
    }
    return index.use(ctx.store, key);
  }

  /** The memories the store finds for the candidates: best full-text matches and same-slot facts. */
  static async partial(ctx: Context, key: ScopeKey, candidates: ReadonlyArray<{ text: string; slot: string | null }>): Promise<MemoryIndex> {
    const index = new MemoryIndex(await ctx.store.generation(key));
    // One full-text query for the whole call: a query costs about the scope's share of the
    // index (its scope token), whatever the number of words.
    const words = [...new Set(candidates.flatMap((c) => contentWords(c.text)))];
    const hits = await ctx.store.searchText(key, "memory", words, Math.min(400, PARTIAL_HITS * Math.max(1, candidates.length)));
    const ids = new Set(hits.map((h) => h.id));
    const slots = [...new Set(candidates.map((c) => c.slot).filter((s): s is string => s !== null))];
    for (const m of [...(await ctx.store.getMemories(key, [...ids])), ...(await ctx.store.memoriesBySlot(key, slots))]) index.put(m);
    return index;
  }

  /** Starts a call: rows are read through `store` (the caller's write scope); rows held by an earlier call are dropped. */
  use(store: Store, key: ScopeKey): this {
    this.held.clear();
    this.store = store;
    this.key = key;
    return this;
  }

  /** Estimated heap bytes of the index (ids, terms, postings, slots). */
  bytes(): number {
    return this.ordinals.size * 330 + this.postingEntries * 10 + this.termIds.size * 150 + this.termChars * 2 + this.held.size * 2048;
  }

  /** Stemmed content terms of a memory. */
  termsOf(m: Memory): Set<string> {
    return new Set(termList(m.text));
  }

  /** Adds or replaces a memory, and holds its row for this call; inactive memories are removed. */
  put(m: Memory): void {
    this.add(m);
    this.held.set(m.id, m);
  }

  private add(m: MemoryText & Partial<Pick<Memory, "invalidatedAt" | "forgottenAt">>): void {
    this.remove(m.id);
    if (m.invalidatedAt || m.forgottenAt) return;
    const o = this.free.pop() ?? this.ids.length;
    const terms = new Set(termList(m.text));
    for (const x of terms) {
      let t = this.termIds.get(x);
      if (t === undefined) {
        t = this.postings.length;
        this.termIds.set(x, t);
        this.postings.push([]);
        this.termChars += x.length;
      }
      this.postings[t]!.push(o);
    }
    this.postingEntries += terms.size;
    this.ordinals.set(m.id, o);
    this.ids[o] = m.id;
    this.slotByOrd[o] = m.slot;
    this.stamps[o] = 0;
    this.counts[o] = 0;
    if (m.slot) {
      let s = this.slots.get(m.slot);
      if (!s) this.slots.set(m.slot, (s = new Set()));
      s.add(o);
    }
  }

  private remove(id: string): void {
    const old = this.held.get(id);
    this.held.delete(id);
    const o = this.ordinals.get(id);
    if (o === undefined) return;
    // The index keeps no terms per memory: a memory is replaced after its row was read in
    // this call (consolidation reads every row it changes), whose text gives the postings.
    const drop = (p: number[] | undefined) => {
      const at = p ? p.indexOf(o) : -1;
      if (at >= 0) (p!.splice(at, 1), this.postingEntries--);
    };
    if (old) for (const x of new Set(termList(old.text))) drop(this.postings[this.termIds.get(x) ?? -1]);
    else for (const p of this.postings) drop(p);
    const slot = this.slotByOrd[o];
    if (slot) this.slots.get(slot)?.delete(o);
    this.ordinals.delete(id);
    this.ids[o] = null;
    this.slotByOrd[o] = null;
    this.free.push(o);
  }

  /** The rows of `ids` (active memories of the index), those this call holds first, the rest in one store read. */
  private async rows(ids: string[]): Promise<Memory[]> {
    const missing = ids.filter((id) => !this.held.has(id));
    if (missing.length > 0) {
      if (!this.store || !this.key) throw new Error("MemoryIndex: use() it before reading rows");
      this.reads++;
      for (const m of await this.store.getMemories(this.key, missing)) this.held.set(m.id, m);
    }
    return ids.map((id) => this.held.get(id)).filter((m): m is Memory => m !== undefined);
  }

  /** Reads, in one store call, the rows that {@link MemoryIndex.similar} and {@link MemoryIndex.bySlot} would give each candidate now. */
  async prefetch(candidates: ReadonlyArray<{ text: string; slot: string | null }>): Promise<void> {
    const ids = new Set<string>();
    for (const c of candidates) {
      for (const id of this.similarIds(new Set(termList(c.text)))) ids.add(id);
      if (c.slot) for (const o of this.slots.get(c.slot) ?? []) ids.add(this.ids[o]!);
    }
    await this.rows([...ids]);
  }

  /** Active memories holding a slot. */
  async bySlot(slot: string): Promise<Memory[]> {
    return this.rows([...(this.slots.get(slot) ?? [])].map((o) => this.ids[o]!));
  }

  /**
   * Memories sharing the most of the probe terms: the candidate's rarest terms (shortest
   * postings), so a probe costs little even in large scopes.
   */
  async similar(t: Set<string>, limit = 8): Promise<Memory[]> {
    return this.rows(this.similarIds(t, limit));
  }

  private similarIds(t: Set<string>, limit = 8): string[] {
    // The 6 rarest terms (shortest non-empty postings), picked without sorting everything.
    // Terms in more than 64 memories say little about duplication; they are probed only
    // when nothing rarer is shared.
    const probe: number[][] = [];
    let commonest: number[] | null = null;
    for (const x of t) {
      const id = this.termIds.get(x);
      const p = id === undefined ? undefined : this.postings[id];
      if (!p || p.length === 0) continue;
      if (p.length > 64) {
        if (!commonest || p.length < commonest.length) commonest = p;
        continue;
      }
      if (probe.length < 6) probe.push(p);
      else {
        let worst = 0;
        for (let i = 1; i < probe.length; i++) if (probe[i]!.length > probe[worst]!.length) worst = i;
        if (p.length < probe[worst]!.length) probe[worst] = p;
      }
    }
    if (probe.length === 0 && commonest) probe.push(commonest);
    // Count the postings each memory is in; `hit` keeps the order of first sight.
    const stamp = ++this.stamp;
    const hit: number[] = [];
    const { stamps, counts } = this;
    for (const p of probe) {
      for (const o of p) {
        if (stamps[o] !== stamp) (stamps[o] = stamp), (counts[o] = 1), hit.push(o);
        else counts[o]!++;
      }
    }
    // Stable: equal counts keep the order of first sight.
    const top = hit.length <= limit ? hit : hit.sort((a, b) => counts[b]! - counts[a]!).slice(0, limit);
    return top.map((o) => this.ids[o]!);
  }
}
