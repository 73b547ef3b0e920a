import { allMemories } from "../store/all-memories.js";
import { vectorRows } from "../core/embed-text.js";
import { z } from "zod";
import { ensureEmbedder, scopeCacheKey, type Context } from "../core/context.js";
import { MnemoError } from "../core/errors.js";
import type { Memory, ScopeInput } from "../core/types.js";
import { guardImported } from "../guard/ingest.js";
import { resolveScope } from "../core/validate.js";
import { bindImportIds, type ImportRecords } from "./import-ids.js";
import { IMPORT_SCHEMAS } from "./import-schema.js";

/**
 * Version of the JSONL export format (first line: `{"type":"mnemo-export","version":1,...}`).
 *
 * @example
 * ```ts
 * const header = { type: "mnemo-export", version: EXPORT_VERSION }; // version 1
 * ```
 */
export const EXPORT_VERSION = 1;

const sortById = <T extends { id: string }>(xs: T[]) => xs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));


/**
 * Exports one user as JSONL lines (header, then episodes, segments, entities, memories
 * and their history), in a deterministic order so export → import → export is identical.
 * Vectors are not exported; import recomputes them.
 *
 * @example
 * ```ts
 * for await (const line of exportScope(ctx, { userId: "alice" })) process.stdout.write(line + "\n");
 * ```
 */
export async function* exportScope(ctx: Context, scopeInput: ScopeInput): AsyncGenerator<string> {
  const scope = resolveScope(scopeInput, ctx.options.tenant);
  const key = { tenant: scope.tenant, userId: scope.userId };
  const users = await ctx.store.listUsers(scope.tenant);
  if (!users.includes(scope.userId)) throw new MnemoError("UNKNOWN_USER", `No data for user ${JSON.stringify(scope.userId)}.`);
  yield JSON.stringify({ type: "mnemo-export", version: EXPORT_VERSION, userId: scope.userId });
  const episodes = await ctx.store.listEpisodes(key);
  for (const e of episodes.sort((a, b) => a.seq - b.seq)) yield JSON.stringify({ type: "episode", ...e });
  const segIds = [...new Set(episodes.map((e) => e.segmentId).filter((s): s is string => s !== null))];
  for (const s of sortById(await ctx.store.getSegments(key, segIds))) yield JSON.stringify({ type: "segment", ...s });
  for (const en of sortById(await ctx.store.listEntities(key))) yield JSON.stringify({ ...en, type: "entity", entityType: en.type });
  const memories = sortById(await allMemories(ctx.store, { tenant: scope.tenant, userId: scope.userId, includeInvalidated: true, includeForgotten: true }));
  for (const m of memories) yield JSON.stringify({ type: "memory", ...m });
  for (const m of memories) for (const h of await ctx.store.memoryHistory(scope.tenant, m.id)) yield JSON.stringify({ type: "history", ...h });
}

/**
 * Options of {@link importScope}.
 *
 * @example
 * ```ts
 * await importScope(ctx, jsonl, { userId: "alice" }, { allowInstructions: true });
 * ```
 */
export interface ImportOptions {
  /**
   * Accept `instruction` memories (standing orders to the assistant). Off by default: a
   * file from elsewhere must not plant instructions; pass true only for a file you trust
   * (your own export). `mnemo import --allow-instructions`; over HTTP it needs the admin scope.
   */
  allowInstructions?: boolean | undefined;
}

/** Fields whose change is an edit (access bookkeeping is not). */
const EDITED: Array<keyof Memory> = ["agentId", "kind", "text", "subject", "slot", "validFrom", "validTo", "observedAt", "invalidatedAt", "confidence", "importance", "sources", "entityIds", "segmentIds", "forgottenAt", "expiresAt", "metadata"];

/**
 * Imports JSONL made by {@link exportScope} into the caller's tenant (records are
 * re-scoped to it; `userId` in the scope overrides the exported user). Every line is
 * validated like a write before anything is written (canonical dates, ranges, non-empty
 * text, well-formed profile summaries, no lone surrogates; `instruction` memories only with
 * `allowInstructions`); one bad line rejects the file with INVALID_INPUT naming it.
 * Ids are kept when the target scope owns them (an export → import into a fresh store →
 * export is identical), otherwise rebound to ids of the target scope ({@link bindImportIds}).
 * A memory the target already holds is rewritten only when the file edits it, as a new
 * version with an `update` history entry (reason "import"); a forgotten memory stays
 * forgotten. Re-importing the same file changes nothing.
 *
 * @example
 * ```ts
 * await importScope(ctx, fs.readFileSync("alice.jsonl", "utf8"), { userId: "alice" });
 * ```
 */
export async function importScope(ctx: Context, jsonl: string, scopeInput: Partial<ScopeInput> = {}, options: ImportOptions = {}): Promise<{ episodes: number; memories: number; entities: number }> {
  const lines = jsonl.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new MnemoError("INVALID_INPUT", "The export is empty.");
  const parse = (l: string, i: number): Record<string, unknown> => {
    try {
      const v: unknown = JSON.parse(l);
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
      return v as Record<string, unknown>;
    } catch (e) {
      throw new MnemoError("INVALID_JSON", `Line ${i + 1}: ${(e as Error).message}`);
    }
  };
  const header = parse(lines[0]!, 0);
  if (header.type !== "mnemo-export" || header.version !== EXPORT_VERSION || typeof header.userId !== "string") {
    throw new MnemoError("INVALID_INPUT", `Line 1 must be a mnemo-export header of version ${EXPORT_VERSION}.`);
  }
  const scope = resolveScope({ userId: scopeInput.userId ?? header.userId, tenant: scopeInput.tenant }, ctx.options.tenant);
  const key = { tenant: scope.tenant, userId: scope.userId };
  const recs: ImportRecords = { episodes: [], segments: [], entities: [], memories: [], history: [] };
  lines.slice(1).forEach((l, j) => {
    const i = j + 1;
    const o = parse(l, i);
    const check = <T>(schema: z.ZodType<T>): T => {
      const r = schema.safeParse(o);
      if (!r.success) throw new MnemoError("INVALID_INPUT", `Line ${i + 1}: ${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message}`);
      return r.data;
    };
    if (o.type === "episode") { const { type: _t, ...e } = check(IMPORT_SCHEMAS.episode); recs.episodes.push({ ...e, ...key }); }
    else if (o.type === "segment") { const { type: _t, ...s } = check(IMPORT_SCHEMAS.segment); recs.segments.push({ ...s, ...key }); }
    else if (o.type === "entity") { const { type: _t, entityType, ...en } = check(IMPORT_SCHEMAS.entity); recs.entities.push({ ...en, type: entityType ?? "topic", ...key }); }
    else if (o.type === "memory") {
      const { type: _t, ...m } = check(IMPORT_SCHEMAS.memory);
      if (m.kind === "instruction" && !options.allowInstructions) {
        throw new MnemoError("INVALID_INPUT", `Line ${i + 1}: an instruction memory; imports take instructions only from a trusted file.`, {
          hint: "Pass allowInstructions (mnemo import --allow-instructions; HTTP ?allowInstructions=true with an admin key) for a file you trust.",
        });
      }
      recs.memories.push({ ...m, ...key });
    }
    else if (o.type === "history") { const { type: _t, ...h } = check(IMPORT_SCHEMAS.history); recs.history.push(h); }
    else throw new MnemoError("INVALID_INPUT", `Line ${i + 1}: unknown type ${JSON.stringify(o.type)}.`);
  });
  await bindImportIds(ctx, key, recs);
  const { episodes, segments, entities, memories, history } = recs;
  // Provenance, quarantine, sensitivity and credential redaction, as for a new message (docs/SECURITY.md).
  guardImported(episodes, memories, ctx.options.trustedSources, ctx.options.now().toISOString());
  // Every memory must cite episodes that exist: in the file, or already in the target scope.
  const fileEpisodes = new Set(episodes.map((e) => e.id));
  // (A forgotten memory may cite a message deleted since: it is never recalled.)
  const cited = [...new Set(memories.filter((m) => m.forgottenAt === null).flatMap((m) => m.sources).filter((id) => !fileEpisodes.has(id)))];
  if (cited.length > 0) {
    const known = new Set((await ctx.store.getEpisodes(key, cited)).map((e) => e.id));
    const missing = cited.filter((id) => !known.has(id));
    if (missing.length > 0) throw new MnemoError("INVALID_INPUT", `${missing.length} source episode(s) of the memories are neither in the file nor in the target user, e.g. ${JSON.stringify(missing[0])}.`, { hint: "Import a whole export made by `mnemo export`." });
  }
  const existingEpisodes = new Set((await ctx.store.getEpisodes(key, episodes.map((e) => e.id))).map((e) => e.id));
  const existingMemories = new Map((await ctx.store.getMemories(key, memories.map((m) => m.id))).map((m) => [m.id, m]));
  const newEpisodes = episodes.filter((e) => !existingEpisodes.has(e.id));
  const clash = (await ctx.store.findEpisodes(key, { externalIds: newEpisodes.map((e) => e.externalId).filter((x): x is string => x !== null), hashes: [] })).filter(
    (e) => !existingEpisodes.has(e.id),
  );
  if (clash.length > 0) {
    throw new MnemoError("CONFLICT", `User ${JSON.stringify(key.userId)} already has messages with the ids ${clash.slice(0, 3).map((c) => JSON.stringify(c.externalId)).join(", ")}.`, {
      hint: "Import into a user without those messages (or erase it first).",
    });
  }
  // New memories come with their history; held ones are rewritten only when edited.
  const now = ctx.options.now().toISOString();
  const written: Memory[] = [];
  const newHistory = history.filter((h) => !existingMemories.has(h.memoryId));
  for (const m of memories) {
    const old = existingMemories.get(m.id);
    if (!old) {
      written.push(m);
      continue;
    }
    const merged: Memory = { ...m, forgottenAt: old.forgottenAt ?? m.forgottenAt };
    if (EDITED.every((f) => JSON.stringify(merged[f]) === JSON.stringify(old[f]))) continue;
    const next: Memory = { ...merged, version: old.version + 1, accessCount: old.accessCount, lastAccessedAt: old.lastAccessedAt, strength: old.strength };
    written.push(next);
    newHistory.push({ memoryId: next.id, version: next.version, op: "update", text: next.text, validFrom: next.validFrom, validTo: next.validTo, sources: next.sources, at: now, reason: "import" });
  }
  await ensureEmbedder(ctx);
  const vectors = await vectorRows(ctx.embedder, newEpisodes, written);
  await ctx.store.commit({ scope: key, episodes: newEpisodes, segments, entities, memories: written, history: newHistory, vectors });
  ctx.caches.delete(scopeCacheKey(key.tenant, key.userId));
  return { episodes: newEpisodes.length, memories: written.length, entities: entities.length };
}
