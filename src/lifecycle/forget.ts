import { scopeCacheKey, type Context } from "../core/context.js";
import { MnemoError } from "../core/errors.js";
import { stableId } from "../core/ids.js";
import type { Episode, Memory, MemoryKind, MemoryVersion } from "../core/types.js";
import { MEMORY_KINDS } from "../core/types.js";
import { parseDate } from "../core/time.js";
import { updateProfiles } from "../ingest/profiles.js";
import { allMemories } from "../store/all-memories.js";

async function load(ctx: Context, tenant: string, id: string, userId?: string): Promise<Memory> {
  if (typeof id !== "string" || id.length === 0 || id.length > 200) throw new MnemoError("INVALID_INPUT", "A memory id is required.");
  const m = await ctx.store.getMemory(tenant, id);
  if (!m || (userId !== undefined && m.userId !== userId)) throw new MnemoError("NOT_FOUND", `No memory ${JSON.stringify(id)}.`);
  return m;
}

/**
 * Metadata key set on an episode whose content was forgotten (a memory citing it was
 * forgotten): recall never returns the episode again; it stays stored until the message
 * is deleted (`deleteEpisode`) or the user erased.
 *
 * @example
 * ```ts
 * if (episode.metadata[EPISODE_FORGOTTEN_KEY]) continue; // never recalled
 * ```
 */
export const EPISODE_FORGOTTEN_KEY = "mnemo.forgottenAt";

/** The source episodes of a forgotten memory, marked so that recall leaves them out. */
async function forgetSources(ctx: Context, m: Memory, now: string): Promise<Episode[]> {
  if (m.kind === "summary") return []; // a summary's sources belong to its facts
  const eps = await ctx.store.getEpisodes({ tenant: m.tenant, userId: m.userId }, m.sources);
  return eps.filter((e) => !e.metadata[EPISODE_FORGOTTEN_KEY]).map((e) => ({ ...e, metadata: { ...e.metadata, [EPISODE_FORGOTTEN_KEY]: now } }));
}

/**
 * When a forgotten memory is restored, its source messages are recalled again, unless
 * another memory that is still forgotten came from them.
 *
 * @example
 * ```ts
 * const episodes = await unforgetSources(ctx, restored); // commit them with the memory
 * ```
 */
export async function unforgetSources(ctx: Context, m: Memory): Promise<Episode[]> {
  const key = { tenant: m.tenant, userId: m.userId };
  const marked = (await ctx.store.getEpisodes(key, m.sources)).filter((e) => e.metadata[EPISODE_FORGOTTEN_KEY]);
  if (marked.length === 0) return [];
  const stillForgotten = new Set(
    (await allMemories(ctx.store, { ...key, includeInvalidated: true, includeForgotten: true })).filter((x) => x.id !== m.id && x.forgottenAt && x.kind !== "summary").flatMap((x) => x.sources),
  );
  return marked.filter((e) => !stillForgotten.has(e.id)).map((e) => {
    const { [EPISODE_FORGOTTEN_KEY]: _gone, ...metadata } = e.metadata;
    return { ...e, metadata };
  });
}

async function save(ctx: Context, m: Memory, op: "forget" | "patch", reason: string | null, now: string, also: { memories: Memory[]; history: MemoryVersion[] } = { memories: [], history: [] }, episodes: Episode[] = []): Promise<Memory> {
  await ctx.store.commit({
    scope: { tenant: m.tenant, userId: m.userId },
    episodes,
    memories: [m, ...also.memories],
    history: [{ memoryId: m.id, version: m.version, op, text: m.text, validFrom: m.validFrom, validTo: m.validTo, sources: m.sources, at: now, reason }, ...also.history],
  });
  ctx.caches.delete(scopeCacheKey(m.tenant, m.userId));
  return m;
}

/**
 * Forgets a memory: it is never recalled again but stays in history (use `erase` for a
 * hard delete, `deleteEpisode` to delete a message). The messages it came from are never
 * recalled verbatim again either (they held the forgotten content). Optionally
 * restricted to one user.
 *
 * @example
 * ```ts
 * await forget(ctx, "default", "mem_123");
 * ```
 */
export async function forget(ctx: Context, tenant: string, id: string, userId?: string, reason?: string): Promise<Memory> {
  const { userId: owner } = await load(ctx, tenant, id, userId);
  // Read, decide and write as the scope's only writer (a concurrent remember cannot interleave).
  return ctx.store.writeScope({ tenant, userId: owner }, (store) => forgetInScope({ ...ctx, store }, tenant, id, owner, reason));
}

async function forgetInScope(ctx: Context, tenant: string, id: string, userId?: string, reason?: string): Promise<Memory> {
  const m = await load(ctx, tenant, id, userId);
  if (m.forgottenAt) return m;
  const now = ctx.options.now().toISOString();
  const forgotten: Memory = { ...m, forgottenAt: now, version: m.version + 1 };
  return save(ctx, forgotten, "forget", reason ?? null, now, await refreshSummary(ctx, forgotten, now, true), await forgetSources(ctx, forgotten, now));
}

/**
 * A person's profile summary quotes their profile facts (`metadata.lines`). After one of
 * them is forgotten or patched, the summary is rebuilt from the current facts, so the old
 * text is never recalled through it; a summary left without facts is forgotten with them.
 */
async function refreshSummary(ctx: Context, m: Memory, now: string, removed: boolean): Promise<{ memories: Memory[]; history: MemoryVersion[] }> {
  const none = { memories: [], history: [] };
  if (m.kind === "summary" || !m.subject) return none;
  const key = { tenant: m.tenant, userId: m.userId };
  const [summary] = await ctx.store.getMemories(key, [stableId("mem", m.tenant, m.userId, "profile", m.subject.toLowerCase())]);
  if (!summary || summary.forgottenAt) return none;
  const lines: unknown[] = Array.isArray(summary.metadata.lines) ? summary.metadata.lines : [];
  const quotes = (l: unknown) => typeof l === "object" && l !== null && (l as { memoryId?: unknown }).memoryId === m.id;
  const quoted = lines.some(quotes);
  const keep = !removed && (m.kind === "profile" || m.kind === "preference");
  if (!quoted && !keep) return none;
  // The memory itself (its line is updated), or a removal marker that is never stored.
  const input = keep ? m : { ...m, invalidatedAt: m.invalidatedAt ?? now };
  const scope = { tenant: m.tenant, userId: m.userId, agentId: summary.agentId ?? undefined };
  const rebuilt = await updateProfiles(ctx, scope, [input], await ctx.store.listEntities(key), now);
  if (rebuilt.memories.some((x) => x.id === summary.id)) {
    // A summary emptied by forgetting its last fact is forgotten too (not merely invalidated,
    // which would keep the forgotten text answerable "as of" earlier).
    const memories = rebuilt.memories.map((x) => (x.id === summary.id && !keep && x.invalidatedAt === now ? { ...x, invalidatedAt: summary.invalidatedAt, validTo: summary.validTo, forgottenAt: now } : x));
    const history = rebuilt.history.map((h) => (h.memoryId === summary.id && h.op === "invalidate" && !keep ? { ...h, op: "forget" as const } : h));
    return { memories, history };
  }
  if (keep || !quoted) return none;
  // The line could not be dropped by a rebuild (no fact left): forget the summary too.
  const gone: Memory = { ...summary, forgottenAt: now, version: summary.version + 1, metadata: { ...summary.metadata, lines: lines.filter((l) => !quotes(l)) } };
  return {
    memories: [gone],
    history: [{ memoryId: gone.id, version: gone.version, op: "forget", text: gone.text, validFrom: gone.validFrom, validTo: gone.validTo, sources: gone.sources, at: now, reason: `its fact ${m.id} was forgotten` }],
  };
}

/**
 * Fields a caller may change on a memory.
 *
 * @example
 * ```ts
 * const patch: MemoryPatch = { text: "Caroline lives in Cambridge.", importance: 0.9, expiresAt: null };
 * ```
 */
export interface MemoryPatch {
  text?: string | undefined;
  kind?: MemoryKind | undefined;
  importance?: number | undefined;
  expiresAt?: string | null | undefined;
  validFrom?: string | null | undefined;
}

/**
 * Edits a memory; the previous version stays in history.
 *
 * @example
 * ```ts
 * await patchMemory(ctx, "default", "mem_123", { text: "Caroline lives in Boston." });
 * ```
 */
export async function patchMemory(ctx: Context, tenant: string, id: string, patch: MemoryPatch, userId?: string): Promise<Memory> {
  const { userId: owner } = await load(ctx, tenant, id, userId);
  return ctx.store.writeScope({ tenant, userId: owner }, (store) => patchInScope({ ...ctx, store }, tenant, id, patch, owner));
}

async function patchInScope(ctx: Context, tenant: string, id: string, patch: MemoryPatch, userId?: string): Promise<Memory> {
  const m = await load(ctx, tenant, id, userId);
  const next: Memory = { ...m, version: m.version + 1 };
  if (patch.text !== undefined) {
    if (typeof patch.text !== "string" || patch.text.trim() === "" || patch.text.length > 10_000) throw new MnemoError("INVALID_INPUT", "text must be 1-10,000 characters.");
    if (/\p{Cs}/u.test(patch.text)) throw new MnemoError("INVALID_INPUT", "text holds a lone UTF-16 surrogate.", { hint: "Send well-formed Unicode text." });
    next.text = patch.text;
  }
  if (patch.kind !== undefined) {
    if (!(MEMORY_KINDS as readonly string[]).includes(patch.kind)) throw new MnemoError("INVALID_INPUT", `kind must be one of ${MEMORY_KINDS.join(", ")}.`);
    next.kind = patch.kind;
  }
  if (patch.importance !== undefined) {
    if (typeof patch.importance !== "number" || !(patch.importance >= 0 && patch.importance <= 1)) throw new MnemoError("INVALID_INPUT", "importance must be between 0 and 1.");
    next.importance = patch.importance;
  }
  if (patch.expiresAt !== undefined) next.expiresAt = patch.expiresAt === null ? null : parseDate(patch.expiresAt, "expiresAt");
  if (patch.validFrom !== undefined) next.validFrom = patch.validFrom === null ? null : parseDate(patch.validFrom, "validFrom");
  const now = ctx.options.now().toISOString();
  return save(ctx, next, "patch", null, now, await refreshSummary(ctx, next, now, false));
}

/**
 * A memory by id, or NOT_FOUND.
 *
 * @example
 * ```ts
 * const m = await getMemory(ctx, "default", "mem_3f1c", "alice"); // NOT_FOUND if absent
 * ```
 */
export async function getMemory(ctx: Context, tenant: string, id: string, userId?: string): Promise<Memory> {
  return load(ctx, tenant, id, userId);
}
