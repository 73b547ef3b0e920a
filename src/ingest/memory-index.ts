import { allMemories } from "../store/all-memories.js";
import { scopeCacheKey, type Context } from "../core/context.js";
import { termList } from "../core/text.js";
import type { Memory } from "../core/types.js";
import type { ScopeKey } from "../store/types.js";

/**
 * An in-memory inverted index of a scope's active memories, used by consolidation to
 * find near-duplicates and same-slot facts without a full-text query per candidate.
 * Kept in the context cache and updated incrementally after this process's own commits;
 * rebuilt from the store whenever the scope's generation shows another writer.
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

  /** The scope's index: cached when no other writer touched the scope. */
  static async forScope(ctx: Context, key: ScopeKey): Promise<MemoryIndex> {
    const cacheKey = "memidx\u0000" + scopeCacheKey(key.tenant, key.userId);
    const cached = ctx.caches.get(cacheKey) as MemoryIndex | undefined;
    if (cached && cached.generation === (await ctx.store.generation(key))) return cached;
    const fresh = await MemoryIndex.build(ctx, key);
    ctx.caches.set(cacheKey, fresh);
    return fresh;
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
