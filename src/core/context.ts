import { MnemoError } from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import type { Embedder } from "../providers/embeddings/types.js";
import type { Extractor } from "../ingest/extract/types.js";
import type { Store } from "../store/types.js";

/**
 * What every operation module receives: the store, resolved options and providers.
 * Internal; the public surface is the {@link Mnemo} facade.
 *
 * @example
 * ```ts
 * const page = await ctx.store.listMemories({ tenant: ctx.options.tenant, userId: "alice", limit: 10 });
 * ```
 */
export interface Context {
  store: Store;
  options: ResolvedOptions;
  embedder: Embedder;
  extractor: Extractor;
  /** Per-scope caches that recall keeps (cleared on writes by this process). */
  caches: Map<string, unknown>;
}

/**
 * Meta key under which the embedder's id and dimension are stored.
 *
 * @example
 * ```ts
 * const stored = await store.getMeta(EMBEDDER_META_KEY); // e.g. "hashing-v1-384:384"
 * ```
 */
export const EMBEDDER_META_KEY = "embedder";

/**
 * Store meta key of the embedder spec (e.g. `hashing:512`, `openai/text-embedding-3-small`) a
 * store was last written with through the CLI; `Mnemo.open` without an `embedder` uses it.
 *
 * @example
 * ```ts
 * await store.getMeta(EMBEDDER_SPEC_META_KEY); // "hashing:512" or null
 * ```
 */
export const EMBEDDER_SPEC_META_KEY = "settings.embedder";

/**
 * Checks the configured embedder against the one that made the stored vectors,
 * recording it on first use. A mismatch is EMBEDDER_MISMATCH naming `mnemo reembed`.
 *
 * @example
 * ```ts
 * await ensureEmbedder(ctx); // records the embedder, or throws EMBEDDER_MISMATCH
 * ```
 */
export async function ensureEmbedder(ctx: Context): Promise<void> {
  const want = `${ctx.embedder.id}:${ctx.embedder.dim}`;
  const have = await ctx.store.getMeta(EMBEDDER_META_KEY);
  if (have === null) {
    await ctx.store.setMeta(EMBEDDER_META_KEY, want);
    return;
  }
  if (have !== want) {
    throw new MnemoError("EMBEDDER_MISMATCH", `Stored vectors come from "${have}", the configured embedder is "${want}".`, {
      details: { stored: have, configured: want },
    });
  }
}

/**
 * Cache key of a scope.
 *
 * @example
 * ```ts
 * const snap = ctx.caches.get(scopeCacheKey("default", "alice"));
 * ```
 */
export function scopeCacheKey(tenant: string, userId: string): string {
  return `${tenant}\u0000${userId}`;
}

/**
 * Puts `value` under `key` in the context's caches as the most recently used entry, then
 * drops the least recently used entries of the same kind (keys with the same prefix up to
 * the first NUL) beyond `max`. The caches Map keeps insertion order, so a re-insert is a use.
 *
 * @example
 * ```ts
 * cachePut(ctx.caches, "pinned\u0000" + scopeCacheKey("default", "alice"), entry, 64);
 * ```
 */
export function cachePut(caches: Map<string, unknown>, key: string, value: unknown, max: number): void {
  caches.delete(key);
  caches.set(key, value);
  // No kind can hold more than `max` entries while the whole map holds no more.
  if (caches.size <= max) return;
  const prefix = key.slice(0, key.indexOf("\u0000") + 1);
  let kept = 0;
  for (const k of [...caches.keys()].reverse()) if (k.startsWith(prefix) && ++kept > max) caches.delete(k);
}
