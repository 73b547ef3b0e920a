import { scopeCacheKey, type Context } from "../core/context.js";
import { MnemoError } from "../core/errors.js";
import type { ScopeInput } from "../core/types.js";
import { resolveScope } from "../core/validate.js";

/**
 * Hard-deletes a user and everything derived from them: episodes, memories, history,
 * entities, segments, vectors and full-text rows, saved Idempotency-Key responses (made
 * tombstones) and this process's caches. The store leaves no trace in the file.
 * Erasing a user with no data is UNKNOWN_USER.
 *
 * @example
 * ```ts
 * await erase(ctx, { userId: "alice" });
 * ```
 */
export async function erase(ctx: Context, scopeInput: ScopeInput): Promise<{ episodes: number; memories: number; entities: number }> {
  const scope = resolveScope(scopeInput, ctx.options.tenant);
  const users = await ctx.store.listUsers(scope.tenant);
  if (!users.includes(scope.userId)) throw new MnemoError("UNKNOWN_USER", `No data for user ${JSON.stringify(scope.userId)}.`);
  const out = await ctx.store.erase({ tenant: scope.tenant, userId: scope.userId });
  // Every in-process cache of the scope (recall snapshot, memory index, ...), whatever its prefix.
  const suffix = scopeCacheKey(scope.tenant, scope.userId);
  for (const k of [...ctx.caches.keys()]) if (k === suffix || k.endsWith("\u0000" + suffix)) ctx.caches.delete(k);
  return out;
}
