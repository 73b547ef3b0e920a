import type { Context } from "../core/context.js";
import type { Memory } from "../core/types.js";
import type { Candidate } from "./pack.js";
import type { Snapshot } from "./snapshot.js";

/**
 * True when a memory has a source episode that happened after `asOf`: a later turn
 * refined or repeated it, so its current row says more than was known at `asOf`.
 *
 * @example
 * ```ts
 * if (learntLater(memory, snap, "2023-05-20T00:00:00.000Z")) { … } // look up its history
 * ```
 */
export function learntLater(m: Memory, snap: Snapshot, asOf: string): boolean {
  return m.sources.some((s) => {
    const e = snap.episodes.get(s);
    return e !== undefined && e.occurredAt > asOf;
  });
}

/**
 * Recall "as of" a time shows each memory as it stood then. A memory whose current row
 * was refined or reinforced by a later turn is replaced by its last version whose
 * sources had all happened by `asOf` (text, sources, validity from its history), or
 * dropped when no version qualifies. Other candidates pass unchanged.
 *
 * @example
 * ```ts
 * const shown = await candidatesAsOf(ctx, snap, candidates, "2023-05-20T00:00:00.000Z");
 * ```
 */
export async function candidatesAsOf(ctx: Context, snap: Snapshot, candidates: Candidate[], asOf: string): Promise<Candidate[]> {
  const stale = candidates.filter((c): c is Extract<Candidate, { type: "memory" }> => c.type === "memory" && learntLater(c.memory, snap, asOf));
  if (stale.length === 0) return candidates;
  const known = (sources: string[]) => sources.every((s) => (snap.episodes.get(s)?.occurredAt ?? "") <= asOf);
  const replaced = new Map<string, Memory | null>();
  await Promise.all(
    stale.map(async (c) => {
      const m = c.memory;
      const versions = await ctx.store.memoryHistory(m.tenant, m.id);
      const then = versions.filter((v) => v.op !== "forget" && known(v.sources)).at(-1);
      replaced.set(c.key, then ? { ...m, text: then.text, sources: [...then.sources], validFrom: then.validFrom, validTo: then.validTo, version: then.version } : null);
    }),
  );
  return candidates.flatMap((c): Candidate[] => {
    if (c.type !== "memory" || !replaced.has(c.key)) return [c];
    const m = replaced.get(c.key);
    return m ? [{ ...c, memory: m }] : [];
  });
}
