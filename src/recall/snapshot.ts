import type { Context } from "../core/context.js";
import { terms } from "../core/text.js";
import type { Entity, Episode, Memory } from "../core/types.js";
import type { ScopeKey } from "../store/types.js";

/**
 * How many memories citing one episode recall reads to decide whether the episode is
 * stale (all of them superseded) and which memories stand for it as a neighbour.
 *
 * @example
 * ```ts
 * await store.linkedMemories(key, "source", episodeIds, DERIVED_LIMIT); // 32
 * ```
 */
export const DERIVED_LIMIT = 32;

/**
 * The rows one recall has read, and nothing else: recall asks the store for candidates
 * (full-text, vector, graph, time and neighbour queries) and loads only those rows here,
 * so its cost follows the candidates (tens to hundreds of rows), not the user's size.
 * Nothing is kept between recalls (the store keeps its own bounded caches).
 *
 * @example
 * ```ts
 * const snap = await openSnapshot(ctx, { tenant: "default", userId: "conv-26" });
 * await snap.load(["mem_1"], ["ep_1"]);
 * snap.memories.get("mem_1")?.text;
 * ```
 */
export class Snapshot {
  readonly ctx: Context;
  readonly key: ScopeKey;
  /** Loaded memories (candidates, and the memories derived from loaded episodes). */
  readonly memories = new Map<string, Memory>();
  /** Loaded episodes (candidates, and the sources of loaded memories). */
  readonly episodes = new Map<string, Episode>();
  /** Every entity of the scope (for query analysis). */
  readonly entities: Map<string, Entity>;
  /** Episode id → ids of not-forgotten, non-summary memories citing it (loaded episodes only). */
  readonly episodeMemories = new Map<string, string[]>();
  /** Stemmed term sets of memory and episode texts, filled lazily. */
  readonly termSets = new Map<string, Set<string>>();
  /** Whether {@link load} also reads the source episodes of the memories it loads (filters that look at them). */
  withSources = false;

  constructor(ctx: Context, key: ScopeKey, entities: Entity[]) {
    this.ctx = ctx;
    this.key = key;
    this.entities = new Map(entities.map((e) => [e.id, e]));
  }

  /**
   * Loads the rows that are not loaded yet: the memories and episodes asked, for the
   * episodes asked the memories citing them, and (with {@link withSources}) the source
   * episodes of the memories loaded.
   */
  async load(memoryIds: Iterable<string>, episodeIds: Iterable<string> = []): Promise<void> {
    const store = this.ctx.store;
    const wantM = [...new Set(memoryIds)].filter((id) => !this.memories.has(id));
    const askedE = [...new Set(episodeIds)];
    const derivedFor = askedE.filter((id) => !this.episodeMemories.has(id));
    // The reads that do not depend on each other start together (one round trip's wait on
    // PostgreSQL instead of three); rows enter the maps in the same order as one by one.
    const memoriesRead = wantM.length > 0 ? startedRead(store.getMemories(this.key, wantM)) : null;
    const linksRead = derivedFor.length > 0 ? startedRead(store.linkedMemories(this.key, "source", derivedFor, DERIVED_LIMIT)) : null;
    const askedNew = askedE.filter((id) => !this.episodes.has(id));
    const episodesRead = !this.withSources && askedNew.length > 0 ? startedRead(store.getEpisodes(this.key, askedNew)) : null;
    if (memoriesRead) for (const m of await memoriesRead) this.memories.set(m.id, m);
    if (linksRead) {
      const links = await linksRead;
      for (const id of derivedFor) this.episodeMemories.set(id, []);
      const more = links.flatMap((l) => l.memoryIds).filter((id) => !this.memories.has(id));
      if (more.length > 0) for (const m of await store.getMemories(this.key, more)) this.memories.set(m.id, m);
      for (const l of links) {
        this.episodeMemories.set(
          l.key,
          l.memoryIds.filter((id) => {
            const m = this.memories.get(id);
            return m !== undefined && m.kind !== "summary";
          }),
        );
      }
    }
    if (episodesRead) {
      for (const e of await episodesRead) this.episodes.set(e.id, e);
      return;
    }
    const wantE = new Set(askedNew);
    if (this.withSources) {
      for (const id of [...wantM, ...derivedFor.flatMap((e) => this.episodeMemories.get(e) ?? [])]) {
        for (const s of this.memories.get(id)?.sources ?? []) if (!this.episodes.has(s)) wantE.add(s);
      }
    }
    if (wantE.size > 0) for (const e of await store.getEpisodes(this.key, [...wantE])) this.episodes.set(e.id, e);
  }

  /** Loads episode rows only (no derived memories). */
  async loadEpisodes(ids: Iterable<string>): Promise<void> {
    const want = [...new Set(ids)].filter((id) => !this.episodes.has(id));
    if (want.length > 0) for (const e of await this.ctx.store.getEpisodes(this.key, want)) this.episodes.set(e.id, e);
  }

  /** Loads the rows of item keys ("m:…", "e:…"). */
  async loadKeys(keys: Iterable<string>): Promise<void> {
    const m: string[] = [];
    const e: string[] = [];
    for (const k of keys) (k.startsWith("m:") ? m : e).push(k.slice(2));
    await this.load(m, e);
  }
}

/**
 * A recall's view of a scope: its entities, nothing else until asked.
 *
 * @example
 * ```ts
 * const snap = await openSnapshot(ctx, { tenant: "default", userId: "conv-26" });
 * ```
 */
export async function openSnapshot(ctx: Context, key: ScopeKey): Promise<Snapshot> {
  return new Snapshot(ctx, key, await ctx.store.listEntities(key));
}

/**
 * Compares two item keys by a stable position (for score ties): memories before
 * episodes; memories newest written first (then newest observed, then by text), episodes
 * in time order; then by id. Ids are random, so ties broken by id alone would rank the
 * same data differently per ingest.
 *
 * @example
 * ```ts
 * candidates.sort((a, b) => b.score - a.score || byOrder(snap, a.key, b.key));
 * ```
 */
export function byOrder(snap: Snapshot, a: string, b: string): number {
  const ta = a.charCodeAt(0) === 109 ? 0 : 1; // "m"
  const tb = b.charCodeAt(0) === 109 ? 0 : 1;
  if (ta !== tb) return ta - tb;
  if (ta === 0) {
    const ma = snap.memories.get(a.slice(2));
    const mb = snap.memories.get(b.slice(2));
    if (ma && mb) {
      if (ma.recordedAt !== mb.recordedAt) return ma.recordedAt < mb.recordedAt ? 1 : -1;
      // One write's memories: by event time, then text (ids are random: the same data must rank the same).
      if (ma.observedAt !== mb.observedAt) return ma.observedAt < mb.observedAt ? 1 : -1;
      if (ma.text !== mb.text) return ma.text < mb.text ? -1 : 1;
    }
  } else {
    const ea = snap.episodes.get(a.slice(2));
    const eb = snap.episodes.get(b.slice(2));
    if (ea && eb) {
      if (ea.occurredAt !== eb.occurredAt) return ea.occurredAt < eb.occurredAt ? -1 : 1;
      if (ea.seq !== eb.seq) return ea.seq - eb.seq;
    }
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The stemmed term set of a memory's or episode's text, cached for the recall (and, by
 * text, in a bounded LRU shared by recalls). The set is shared: never modify it.
 *
 * @example
 * ```ts
 * const t = termSet(snap, "m:" + m.id, m.text); // e.g. Set {"carolin", "live", "boston"}
 * ```
 */
export function termSet(snap: Snapshot, key: string, text: string): Set<string> {
  let t = snap.termSets.get(key);
  if (!t) snap.termSets.set(key, (t = sharedTerms(text)));
  return t;
}

/**
 * How many texts' stemmed term sets are kept between recalls (an LRU keyed by the text):
 * the graph and answer-type channels rank hundreds of memories by their terms, mostly the
 * same ones from one recall to the next.
 *
 * @example
 * ```ts
 * TERM_SET_CACHE; // 20,000 texts
 * ```
 */
export const TERM_SET_CACHE = 20_000;
const termSets = new Map<string, Set<string>>();

/** The (shared, read-only) stemmed term set of a text. */
function sharedTerms(text: string): Set<string> {
  let t = termSets.get(text);
  if (t) {
    termSets.delete(text);
    termSets.set(text, t);
    return t;
  }
  t = new Set(terms(text));
  if (text.length <= 2_000) {
    termSets.set(text, t);
    if (termSets.size > TERM_SET_CACHE) termSets.delete(termSets.keys().next().value!);
  }
  return t;
}

/**
 * A read started now and awaited later: its failure surfaces where it is awaited, not as
 * an unhandled rejection before.
 *
 * @example
 * ```ts
 * const rows = startedRead(store.getMemories(key, ids)); // … other reads …
 * for (const m of await rows) use(m);
 * ```
 */
export function startedRead<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
