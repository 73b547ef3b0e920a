import { scopeCacheKey, type Context } from "../core/context.js";
import { unforgetSources } from "./forget.js";
import { MnemoError } from "../core/errors.js";
import type { Memory } from "../core/types.js";

/**
 * Undoes a forget: the memory is recalled again (a new version; the forget stays in
 * history). A memory that is not forgotten is returned unchanged.
 *
 * @example
 * ```ts
 * await forget(ctx, "default", "mem_123");
 * await restoreMemory(ctx, "default", "mem_123"); // recalled again
 * ```
 */
export async function restoreMemory(ctx: Context, tenant: string, id: string, userId?: string): Promise<Memory> {
  if (typeof id !== "string" || id.length === 0 || id.length > 200) throw new MnemoError("INVALID_INPUT", "A memory id is required.");
  const m = await ctx.store.getMemory(tenant, id);
  if (!m || (userId !== undefined && m.userId !== userId)) throw new MnemoError("NOT_FOUND", `No memory ${JSON.stringify(id)}.`);
  if (!m.forgottenAt) return m;
  const now = ctx.options.now().toISOString();
  const restored: Memory = { ...m, forgottenAt: null, version: m.version + 1 };
  await ctx.store.commit({
    scope: { tenant: m.tenant, userId: m.userId },
    // Its source messages are recalled again too (forget had kept them out).
    episodes: await unforgetSources(ctx, restored),
    memories: [restored],
    history: [{ memoryId: m.id, version: restored.version, op: "restore", text: m.text, validFrom: m.validFrom, validTo: m.validTo, sources: m.sources, at: now, reason: `forgotten at ${m.forgottenAt}, restored` }],
  });
  ctx.caches.delete(scopeCacheKey(m.tenant, m.userId));
  ctx.caches.delete("memidx\u0000" + scopeCacheKey(m.tenant, m.userId));
  return restored;
}
