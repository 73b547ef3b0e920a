/**
 * Extraction that survives a model provider outage: when the LLM is down, `remember` still
 * stores the turns (episodes, segments, their vectors) and queues them; the queue is drained
 * on the next `remember` of that user or by `mnemo extract` / `Mnemo.extractPending()`.
 */
import { vectorRows } from "../core/embed-text.js";
import { scopeCacheKey, type Context } from "../core/context.js";
import { MnemoError } from "../core/errors.js";
import type { Scope } from "../core/types.js";
import type { Store } from "../store/types.js";
import { consolidate } from "./consolidate.js";
import { EntityResolver } from "./entities.js";
import type { CandidateMemory, ExtractionContext, Extractor } from "./extract/types.js";
import { MemoryIndex } from "./memory-index.js";
import { updateProfiles } from "./profiles.js";

interface Queue {
  ids: string[];
  userName?: string | undefined;
}

const metaKey = (tenant: string, userId: string) => `extract.pending\u0000${tenant}\u0000${userId}`;

async function readQueue(store: Store, tenant: string, userId: string): Promise<Queue> {
  const raw = await store.getMeta(metaKey(tenant, userId));
  if (!raw) return { ids: [] };
  try {
    const q = JSON.parse(raw) as Queue;
    return Array.isArray(q.ids) ? q : { ids: [] };
  } catch {
    return { ids: [] };
  }
}

/**
 * True for failures that waiting can fix: the provider is down, overloaded or unreachable.
 * Not bad output, and not a 4xx answer (a wrong key or model name must be seen at once).
 */
function isOutage(e: unknown): boolean {
  if (!(e instanceof MnemoError)) return true;
  if (e.code !== "PROVIDER_ERROR" && e.code !== "TIMEOUT" && e.code !== "UNAVAILABLE") return false;
  for (let x: unknown = e; x instanceof Error; x = x.cause) {
    const status = x instanceof MnemoError ? x.details?.status : undefined;
    if (typeof status === "number" && status >= 400 && status < 500 && status !== 408 && status !== 429) return false;
  }
  return true;
}

/**
 * Wraps a model extractor: when the provider is down it queues the turns' episode ids (in
 * store meta) and extracts nothing, so `remember` stores the turns instead of failing.
 *
 * @example
 * ```ts
 * const extractor = new DeferringExtractor(new LLMExtractor(llm), store);
 * ```
 */
export class DeferringExtractor implements Extractor {
  readonly inner: Extractor;
  private readonly store: Store;

  constructor(inner: Extractor, store: Store) {
    this.inner = inner;
    this.store = store;
  }

  get id(): string {
    return this.inner.id;
  }

  async extract(episodes: Parameters<Extractor["extract"]>[0], context: ExtractionContext): Promise<CandidateMemory[]> {
    try {
      return await this.inner.extract(episodes, context);
    } catch (e) {
      if (!isOutage(e)) throw e;
      const q = await readQueue(this.store, context.scope.tenant, context.scope.userId);
      const ids = [...new Set([...q.ids, ...episodes.map((x) => x.id)])];
      await this.store.setMeta(metaKey(context.scope.tenant, context.scope.userId), JSON.stringify({ ids, userName: context.userName ?? q.userName }));
      return [];
    }
  }
}

/**
 * How many turns of a user wait for extraction.
 *
 * @example
 * ```ts
 * await pendingCount(store, "default", "alice"); // 0 when the model was up
 * ```
 */
export async function pendingCount(store: Store, tenant: string, userId: string): Promise<number> {
  return (await readQueue(store, tenant, userId)).ids.length;
}

/**
 * Extracts the queued turns of one user with the model; on success the memories are
 * committed and the queue cleared, on another outage the queue is kept.
 *
 * @example
 * ```ts
 * const r = await extractPending(ctx, { tenant: "default", userId: "alice" }); // { extracted: 3, pending: 0, memories: 2 }
 * ```
 */
export async function extractPending(ctx: Context, scope: Scope): Promise<{ extracted: number; pending: number; memories: number }> {
  const q = await readQueue(ctx.store, scope.tenant, scope.userId);
  if (q.ids.length === 0) return { extracted: 0, pending: 0, memories: 0 };
  const inner = ctx.extractor instanceof DeferringExtractor ? ctx.extractor.inner : ctx.extractor;
  const key = { tenant: scope.tenant, userId: scope.userId };
  const episodes = (await ctx.store.getEpisodes(key, q.ids)).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.seq - b.seq);
  const clear = () => ctx.store.setMeta(metaKey(scope.tenant, scope.userId), JSON.stringify({ ids: [] }));
  if (episodes.length === 0) {
    await clear();
    return { extracted: 0, pending: 0, memories: 0 };
  }
  const known = await ctx.store.listEntities(key);
  let candidates: CandidateMemory[];
  try {
    candidates = await inner.extract(episodes, { scope, knownEntities: known, previous: [], ...(q.userName !== undefined ? { userName: q.userName } : {}) });
  } catch (e) {
    if (isOutage(e)) return { extracted: 0, pending: q.ids.length, memories: 0 };
    throw e;
  }
  const now = ctx.options.now().toISOString();
  const resolver = new EntityResolver(scope, known);
  candidates = resolver.learnNames(candidates);
  const entityIds = candidates.map((c) => c.entities.map((m) => resolver.resolve(m).id));
  const epInfo = new Map(episodes.map((e) => [e.id, { segmentId: e.segmentId, occurredAt: e.occurredAt }]));
  const indexKey = "memidx\u0000" + scopeCacheKey(scope.tenant, scope.userId);
  ctx.caches.delete(indexKey);
  try {
    const index = await MemoryIndex.forScope(ctx, key);
    const consolidated = await consolidate({ index, scope, candidates, entityIds, episodes: epInfo, now });
    const profiles = await updateProfiles(ctx, scope, [...consolidated.memories.values()], resolver.all(), now);
    for (const p of profiles.memories) consolidated.memories.set(p.id, p);
    consolidated.history.push(...profiles.history);
    const changed = [...consolidated.memories.values()];
    const vectors = await vectorRows(ctx.embedder, [], changed.filter((m) => consolidated.textChanged.has(m.id) || m.kind === "summary"));
    await ctx.store.commit({ scope: key, entities: resolver.changes(), memories: changed, history: consolidated.history, vectors });
    // Not atomic with the commit: a crash here re-extracts these turns once, and consolidation
    // then reinforces the same memories instead of adding copies.
    await clear();
    return { extracted: episodes.length, pending: 0, memories: consolidated.counts.added + consolidated.counts.updated };
  } finally {
    ctx.caches.delete(scopeCacheKey(scope.tenant, scope.userId));
    ctx.caches.delete(indexKey);
  }
}
