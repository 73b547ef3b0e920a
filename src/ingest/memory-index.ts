import { allMemories } from "../store/all-memories.js";
import { scopeCacheKey, type Context } from "../core/context.js";
import { contentWords, termList } from "../core/text.js";
import type { Memory } from "../core/types.js";
import type { ScopeKey } from "../store/types.js";

/**
 * Turns per scope up to which consolidation keeps a whole-scope index in memory; above
 * it, each `remember` reads only its candidates' neighbours through the store's indexes
 * (full-text and slot), so its cost does not grow with the user.
 *
 * @example
 * ```ts
 * const whole = (await store.maxSeq(key)) <= FULL_INDEX_MAX_TURNS; // 20,000 (MNEMO_FULL_INDEX_MAX_TURNS overrides)
 * ```
 */
export const FULL_INDEX_MAX_TURNS = 20_000;

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
 * turns it holds the whole scope, kept in the context cache (at most
 * {@link INDEX_CACHE_SCOPES} scopes) and updated incrementally after this process's own
 * commits; rebuilt whenever the scope's generation shows another writer. For a larger
 * scope it holds only the memories the store finds for this call's candidates (their
 * best full-text matches and same-slot facts).
 *
 * @example
 * ```ts
 * const index = await MemoryIndex.forScope(ctx, { tenant: "default", userId: "alice" });
 * const sameSlot = index.bySlot("alice|lives_in");
 * ```
 */
/** A memory in the index, with its terms and the scratch counters of {@link MemoryIndex.similar}. */
interface Entry {
  memory: Memory;
  terms: Set<string>;
  /** Probe that last counted this entry, and how many of its postings held it. */
  stamp: number;
  count: number;
}

export class MemoryIndex {
  generation: number;
  readonly memories = new Map<string, Memory>();
  private readonly entries = new Map<string, Entry>();
  /** Term → the entries holding it (entries, not ids: a probe counts without lookups). */
  private readonly postings = new Map<string, Set<Entry>>();
  private readonly slots = new Map<string, Set<string>>();
  private stamp = 0;

  constructor(generation: number) {
    this.generation = generation;
  }

  /** Loads the index of a scope from the store. */
  static async build(ctx: Context, key: ScopeKey): Promise<MemoryIndex> {
    const index = new MemoryIndex(await ctx.store.generation(key));
    for (const m of await allMemories(ctx.store, { tenant: key.tenant, userId: key.userId })) index.put(m);
    return index;
  }

  /**
   * The index consolidation uses for `candidates`: the whole scope's (cached when no other
   * writer touched the scope), or, for a large scope, the candidates' neighbours only.
   */
  static async forScope(ctx: Context, key: ScopeKey, candidates?: ReadonlyArray<{ text: string; slot: string | null }>): Promise<MemoryIndex> {
    const env = Number(process.env.MNEMO_FULL_INDEX_MAX_TURNS);
    const max = process.env.MNEMO_FULL_INDEX_MAX_TURNS !== undefined && Number.isFinite(env) ? env : FULL_INDEX_MAX_TURNS;
    if (candidates && (await ctx.store.maxSeq(key)) > max) return MemoryIndex.partial(ctx, key, candidates);
    const cacheKey = "memidx\u0000" + scopeCacheKey(key.tenant, key.userId);
    const cached = ctx.caches.get(cacheKey) as MemoryIndex | undefined;
    ctx.caches.delete(cacheKey);
    const index = cached && cached.generation === (await ctx.store.generation(key)) ? cached : await MemoryIndex.build(ctx, key);
    ctx.caches.set(cacheKey, index);
    // Least recently used first: the Map keeps insertion order and a use re-inserts.
    let kept = 0;
    for (const k of [...ctx.caches.keys()].reverse()) if (k.startsWith("memidx\u0000") && ++kept > INDEX_CACHE_SCOPES) ctx.caches.delete(k);
    return index;
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

  /** Stemmed content terms of a memory. */
  termsOf(m: Memory): Set<string> {
    const e = this.entries.get(m.id);
    return e && e.memory.text === m.text ? e.terms : new Set(termList(m.text));
  }

  /** Adds or replaces a memory; inactive memories are removed. */
  put(m: Memory): void {
    this.remove(m.id);
    if (m.invalidatedAt || m.forgottenAt) return;
    const e: Entry = { memory: m, terms: new Set(termList(m.text)), stamp: 0, count: 0 };
    this.memories.set(m.id, m);
    this.entries.set(m.id, e);
    for (const x of e.terms) {
      let s = this.postings.get(x);
      if (!s) this.postings.set(x, (s = new Set()));
      s.add(e);
    }
    if (m.slot) {
      let s = this.slots.get(m.slot);
      if (!s) this.slots.set(m.slot, (s = new Set()));
      s.add(m.id);
    }
  }

  private remove(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    for (const x of e.terms) this.postings.get(x)?.delete(e);
    if (e.memory.slot) this.slots.get(e.memory.slot)?.delete(id);
    this.memories.delete(id);
    this.entries.delete(id);
  }

  /** Active memories holding a slot. */
  bySlot(slot: string): Memory[] {
    return [...(this.slots.get(slot) ?? [])].map((id) => this.memories.get(id)!);
  }

  /**
   * Memories sharing the most of the probe terms: the candidate's rarest terms (shortest
   * postings), so a probe costs little even in large scopes.
   */
  similar(t: Set<string>, limit = 8): Memory[] {
    // The 6 rarest terms (shortest non-empty postings), picked without sorting everything.
    // Terms in more than 64 memories say little about duplication; they are probed only
    // when nothing rarer is shared.
    const probe: Array<Set<Entry>> = [];
    let commonest: Set<Entry> | null = null;
    for (const x of t) {
      const p = this.postings.get(x);
      if (!p || p.size === 0) continue;
      if (p.size > 64) {
        if (!commonest || p.size < commonest.size) commonest = p;
        continue;
      }
      if (probe.length < 6) probe.push(p);
      else {
        let worst = 0;
        for (let i = 1; i < probe.length; i++) if (probe[i]!.size > probe[worst]!.size) worst = i;
        if (p.size < probe[worst]!.size) probe[worst] = p;
      }
    }
    if (probe.length === 0 && commonest) probe.push(commonest);
    // Count the postings each memory is in; `hit` keeps the order of first sight.
    const stamp = ++this.stamp;
    const hit: Entry[] = [];
    for (const p of probe) {
      for (const e of p) {
        if (e.stamp !== stamp) (e.stamp = stamp), (e.count = 1), hit.push(e);
        else e.count++;
      }
    }
    if (hit.length <= limit) return hit.map((e) => e.memory);
    // Stable: equal counts keep the order of first sight.
    return hit
      .sort((a, b) => b.count - a.count)
      .slice(0, limit)
      .map((e) => e.memory);
  }

}
