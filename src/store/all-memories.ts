import type { Memory } from "../core/types.js";
import type { MemoryFilter, Store } from "./types.js";

/**
 * Every memory matching a filter, reading the store page by page (at most `max`).
 *
 * @example
 * ```ts
 * const all = await allMemories(store, { tenant: "default", userId: "conv-26", includeInvalidated: true });
 * ```
 */
export async function allMemories(store: Store, filter: Omit<MemoryFilter, "cursor" | "limit">, max = Number.POSITIVE_INFINITY): Promise<Memory[]> {
  const out: Memory[] = [];
  let cursor: string | undefined;
  while (out.length < max) {
    const page = await store.listMemories({ ...filter, limit: 1000, cursor });
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}
