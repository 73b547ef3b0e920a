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
export class MemoryIndex {
  generation: number;
  readonly memories = new Map<string, Memory>();
  private readonly termSets = new Map<string, Set<string>>();
  private readonly postings = new Map<string, Set<string>>();
  private readonly slots = new Map<string, Set<string>>();

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
    let t = this.termSets.get(m.id);
    if (!t || this.memories.get(m.id)?.text !== m.text) t = new Set(termList(m.text));
    return t;
  }

  /** Adds or replaces a memory; inactive memories are removed. */
  put(m: Memory): void {
    this.remove(m.id);
    if (m.invalidatedAt || m.forgottenAt) return;
    const t = new Set(termList(m.text));
    this.memories.set(m.id, m);
    this.termSets.set(m.id, t);
    for (const x of t) {
      let s = this.postings.get(x);
      if (!s) this.postings.set(x, (s = new Set()));
      s.add(m.id);
    }
    if (m.slot) {
      let s = this.slots.get(m.slot);
      if (!s) this.slots.set(m.slot, (s = new Set()));
      s.add(m.id);
    }
  }

  private remove(id: string): void {
    const old = this.memories.get(id);
    if (!old) return;
    for (const x of this.termSets.get(id) ?? []) this.postings.get(x)?.delete(id);
    if (old.slot) this.slots.get(old.slot)?.delete(id);
    this.memories.delete(id);
    this.termSets.delete(id);
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
    const probe: Array<Set<string>> = [];
    let commonest: Set<string> | null = null;
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
    const counts = new Map<string, number>();
    for (const p of probe) for (const id of p) counts.set(id, (counts.get(id) ?? 0) + 1);
    if (counts.size <= limit) return [...counts.keys()].map((id) => this.memories.get(id)!);
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([id]) => this.memories.get(id)!);
  }

}
