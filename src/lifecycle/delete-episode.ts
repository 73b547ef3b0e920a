import { scopeCacheKey, type Context } from "../core/context.js";
import { MnemoError } from "../core/errors.js";
import type { Memory, MemoryVersion, ScopeInput, Segment } from "../core/types.js";
import { resolveScope } from "../core/validate.js";
import { segmentSummary } from "../ingest/segment.js";
import { allMemories } from "../store/all-memories.js";
import { forget } from "./forget.js";

/**
 * What deleting a message changed.
 *
 * @example
 * ```ts
 * const r: DeleteEpisodeResult = { id: "ep_1", memoriesDeleted: 1, memoriesUpdated: 0 };
 * ```
 */
export interface DeleteEpisodeResult {
  id: string;
  /** Memories that came only from this message: deleted with it (their history too). */
  memoriesDeleted: number;
  /** Memories that also came from other messages: this one is dropped from their sources. */
  memoriesUpdated: number;
}

/**
 * Deletes one message (episode) of a user: the row, its full-text entry and its vector are
 * hard-deleted, and so are the memories that came only from it, with their history (a
 * profile summary quoting one is rebuilt without it first; the summary's own earlier
 * versions keep their text until the user is erased). Memories with other sources drop it
 * from their sources; its segment's summary is rebuilt without it. NOT_FOUND when the user
 * has no such message (by episode id, or by the caller's message id).
 *
 * @example
 * ```ts
 * await deleteEpisode(ctx, "ep_3f1c…", { userId: "alice" });
 * await deleteEpisode(ctx, "msg-42", { userId: "alice" }); // your own message id works too
 * ```
 */
export async function deleteEpisode(ctx: Context, id: string, scopeInput: ScopeInput): Promise<DeleteEpisodeResult> {
  const scope = resolveScope(scopeInput, ctx.options.tenant);
  const key = { tenant: scope.tenant, userId: scope.userId };
  if (typeof id !== "string" || id.length === 0 || id.length > 500) throw new MnemoError("INVALID_INPUT", "A message id is required.");
  if (!ctx.store.deleteEpisodes) throw new MnemoError("STORE_ERROR", `The ${ctx.store.dialect} store cannot delete single messages.`, { hint: "Erase the user instead, or use the SQLite store." });
  let [episode] = await ctx.store.getEpisodes(key, [id]);
  if (!episode) {
    const [byExternal] = await ctx.store.findEpisodes(key, { externalIds: [id], hashes: [] });
    if (byExternal) [episode] = await ctx.store.getEpisodes(key, [byExternal.id]);
  }
  if (!episode) throw new MnemoError("NOT_FOUND", `No message ${JSON.stringify(id)} for user ${JSON.stringify(scope.userId)}.`, { hint: "Message ids are the episode ids remember returns, or your own message ids." });
  const now = ctx.options.now().toISOString();
  const memories: Memory[] = [];
  const history: MemoryVersion[] = [];
  const only: string[] = [];
  const out: DeleteEpisodeResult = { id: episode.id, memoriesDeleted: 0, memoriesUpdated: 0 };
  const summaryIds: string[] = [];
  const drop = async (m: Memory): Promise<void> => {
    const sources = m.sources.filter((s) => s !== episode!.id);
    if (sources.length === 0) {
      // Forgotten first (a profile summary quoting it is rebuilt without it), then deleted.
      if (!m.forgottenAt) await forget(ctx, key.tenant, m.id, key.userId, "its message was deleted");
      only.push(m.id);
      out.memoriesDeleted++;
    } else {
      const next: Memory = { ...m, sources, version: m.version + 1 };
      memories.push(next);
      history.push({ memoryId: m.id, version: next.version, op: "patch", text: m.text, validFrom: m.validFrom, validTo: m.validTo, sources, at: now, reason: "a source message was deleted" });
      out.memoriesUpdated++;
    }
  };
  for (const m of await allMemories(ctx.store, { ...key, includeInvalidated: true, includeForgotten: true })) {
    if (!m.sources.includes(episode.id)) continue;
    if (m.kind === "summary") summaryIds.push(m.id);
    else await drop(m);
  }
  // Summaries last, read again: forgetting a fact above may have rebuilt them already. One
  // that still cites the message drops it too (an export must never cite a deleted message).
  for (const m of await ctx.store.getMemories(key, summaryIds)) if (m.sources.includes(episode.id)) await drop(m);
  const segments: Segment[] = [];
  if (episode.segmentId !== null) {
    const [seg] = await ctx.store.getSegments(key, [episode.segmentId]);
    if (seg) {
      const episodeIds = seg.episodeIds.filter((e) => e !== episode!.id);
      const rest = await ctx.store.getEpisodes(key, episodeIds);
      segments.push({ ...seg, episodeIds, summary: rest.length > 0 ? segmentSummary(rest) : "" });
    }
  }
  await ctx.store.commit({ scope: key, memories, history, segments });
  await ctx.store.deleteEpisodes(key, [episode.id], only);
  for (const k of [...ctx.caches.keys()]) if (k.endsWith(scopeCacheKey(key.tenant, key.userId))) ctx.caches.delete(k);
  return out;
}
