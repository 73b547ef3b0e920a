import { allMemories } from "../store/all-memories.js";
import { vectorRows } from "../core/embed-text.js";
import { EMBEDDER_META_KEY, type Context } from "../core/context.js";
import type { Store } from "../store/types.js";

/**
 * Rebuilds every vector with the configured embedder (after switching models) and
 * records the new embedder, so EMBEDDER_MISMATCH goes away. Runs user by user.
 *
 * @example
 * ```ts
 * await reembed(ctx, ["default"]);
 * ```
 */
export async function reembed(ctx: Context, tenants: string[]): Promise<{ vectors: number }> {
  const store: Store = ctx.store;
  await store.clearVectors();
  let n = 0;
  for (const tenant of tenants) {
    for (const userId of await store.listUsers(tenant)) {
      const key = { tenant, userId };
      const episodes = await store.listEpisodes(key);
      const memories = await allMemories(store, { tenant, userId, includeInvalidated: true, includeForgotten: true });
      const vectors = await vectorRows(ctx.embedder, episodes, memories);
      await store.commit({ scope: key, vectors });
      n += vectors.length;
    }
  }
  await store.setMeta(EMBEDDER_META_KEY, `${ctx.embedder.id}:${ctx.embedder.dim}`);
  ctx.caches.clear();
  return { vectors: n };
}
