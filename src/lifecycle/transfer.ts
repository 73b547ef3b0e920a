import { allMemories } from "../store/all-memories.js";
import { vectorRows } from "../core/embed-text.js";
import { z } from "zod";
import { ensureEmbedder, scopeCacheKey, type Context } from "../core/context.js";
import { MnemoError } from "../core/errors.js";
import { EPISODE_PROVENANCE_SHAPE, MEMORY_PROVENANCE_SHAPE } from "../guard/provenance.js";
import { guardImported } from "../guard/ingest.js";
import { MEMORY_KINDS, type Entity, type Episode, type Memory, type MemoryVersion, type ScopeInput, type Segment } from "../core/types.js";
import { resolveScope } from "../core/validate.js";
import { stableId } from "../core/ids.js";

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

const str = z.string();
const nstr = z.string().nullable();
const record = z.record(z.string(), z.unknown());
const episodeSchema = z.strictObject({
  type: z.literal("episode"), id: str, externalId: nstr, tenant: str, userId: str, agentId: nstr, sessionId: nstr, speaker: str, role: nstr, text: str,
  attachmentText: nstr, occurredAt: str, recordedAt: str, contentHash: str, segmentId: nstr, seq: z.number().int(), metadata: record,
  ...EPISODE_PROVENANCE_SHAPE,
});
const segmentSchema = z.strictObject({ type: z.literal("segment"), id: str, tenant: str, userId: str, sessionId: nstr, episodeIds: z.array(str), startedAt: str, endedAt: str, summary: str });
const entitySchema = z.strictObject({
  type: z.literal("entity"), id: str, tenant: str, userId: str, name: str, aliases: z.array(str), mentionCount: z.number().int(),
  // "type" is taken by the line type; the entity type travels as entityType.
  entityType: z.enum(["person", "place", "organization", "object", "topic"]).optional(),
});
const memorySchema = z.strictObject({
  type: z.literal("memory"), id: str, tenant: str, userId: str, agentId: nstr, kind: z.enum(MEMORY_KINDS), text: str, subject: nstr, slot: nstr,
  validFrom: nstr, validTo: nstr, observedAt: str, recordedAt: str, invalidatedAt: nstr, confidence: z.number(), importance: z.number(), strength: z.number(),
  lastAccessedAt: str, accessCount: z.number().int(), sources: z.array(str).min(1), entityIds: z.array(str), segmentIds: z.array(str), version: z.number().int(),
  forgottenAt: nstr, expiresAt: nstr, metadata: record,
  ...MEMORY_PROVENANCE_SHAPE,
});
const historySchema = z.strictObject({
  type: z.literal("history"), memoryId: str, version: z.number().int(), op: z.enum(["add", "update", "invalidate", "reinforce", "forget", "patch"]), text: str,
  validFrom: nstr, validTo: nstr, sources: z.array(str), at: str, reason: nstr,
});

/**
 * Ids that Mnemo derives from a scope and a name (entities, profile summaries) are
 * predictable. An imported record may only claim such an id when it is the one the target
 * scope itself would derive; any other is rebound to the target scope (and references to
 * it rewritten), so no import can squat ids another tenant or user will need.
 */
function rebindDerivedIds(key: { tenant: string; userId: string }, entities: Entity[], memories: Memory[], history: MemoryVersion[]): void {
  const entityMap = new Map<string, string>();
  for (const e of entities) {
    const own = [e.name, ...e.aliases].map((n) => stableId("ent", key.tenant, key.userId, n.toLowerCase()));
    if (!own.includes(e.id)) {
      const next = own[0]!;
      entityMap.set(e.id, next);
      e.id = next;
    }
  }
  const memoryMap = new Map<string, string>();
  for (const m of memories) {
    if (m.kind !== "summary" || m.subject === null) continue;
    const own = stableId("mem", key.tenant, key.userId, "profile", m.subject.toLowerCase());
    if (m.id !== own) {
      memoryMap.set(m.id, own);
      m.id = own;
    }
  }
  if (entityMap.size === 0 && memoryMap.size === 0) return;
  for (const m of memories) m.entityIds = m.entityIds.map((id) => entityMap.get(id) ?? id);
  for (const h of history) h.memoryId = memoryMap.get(h.memoryId) ?? h.memoryId;
}

/**
 * An export imported into another scope (another user, or another tenant) gets ids of
 * its own, derived from the target scope and the old ids, with every reference rewritten:
 * a record id is only ever used by one scope, and a user can be copied within a store.
 */
function rebindAllIds(key: { tenant: string; userId: string }, episodes: Episode[], segments: Segment[], entities: Entity[], memories: Memory[], history: MemoryVersion[]): void {
  const remap = (prefix: string) => {
    const map = new Map<string, string>();
    return { map, id: (old: string) => map.get(old) ?? old, add: (old: string) => (map.set(old, stableId(prefix, key.tenant, key.userId, "import", old)), map.get(old)!) };
  };
  const ep = remap("ep");
  const seg = remap("seg");
  const mem = remap("mem");
  for (const e of episodes) e.id = ep.add(e.id);
  for (const s of segments) s.id = seg.add(s.id);
  for (const m of memories) m.id = mem.add(m.id);
  for (const e of episodes) e.segmentId = e.segmentId === null ? null : seg.id(e.segmentId);
  for (const s of segments) s.episodeIds = s.episodeIds.map(ep.id);
  for (const h of history) {
    h.memoryId = mem.id(h.memoryId);
    h.sources = h.sources.map(ep.id);
  }
  for (const m of memories) {
    m.sources = m.sources.map(ep.id);
    m.segmentIds = m.segmentIds.map(seg.id);
    const lines = m.metadata.lines;
    if (Array.isArray(lines)) {
      const rebound = lines.map((l: unknown) => {
        if (!l || typeof l !== "object") return l;
        const line = l as Record<string, unknown>;
        const sources = Array.isArray(line.sources) ? line.sources.map((x) => ep.id(String(x))) : [];
        return { ...line, memoryId: mem.id(String(line.memoryId)), sources };
      });
      m.metadata = { ...m.metadata, lines: rebound };
    }
  }
  // Entities and profile summaries then take the ids the target scope derives from names.
  rebindDerivedIds(key, entities, memories, history);
}

/**
 * Imports JSONL made by {@link exportScope} into the caller's tenant (records are
 * re-scoped to it; `userId` in the scope overrides the exported user). Into the scope it
 * came from, ids are kept (export → import → export is identical); into another scope,
 * every id is re-derived for that scope, so a user can be copied. Every line is
 * validated before anything is written; one bad line rejects the file. Re-importing the
 * same file changes nothing.
 *
 * @example
 * ```ts
 * await importScope(ctx, fs.readFileSync("alice.jsonl", "utf8"), { userId: "alice" });
 * ```
 */
export async function importScope(ctx: Context, jsonl: string, scopeInput: Partial<ScopeInput> = {}): Promise<{ episodes: number; memories: number; entities: number }> {
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
  const episodes: Episode[] = [];
  const segments: Segment[] = [];
  const entities: Entity[] = [];
  const memories: Memory[] = [];
  const history: MemoryVersion[] = [];
  const re = { tenant: scope.tenant, userId: scope.userId };
  let origin: { tenant: string; userId: string } | null = null;
  lines.slice(1).forEach((l, j) => {
    const i = j + 1;
    const o = parse(l, i);
    if (!origin && typeof o.tenant === "string" && typeof o.userId === "string") origin = { tenant: o.tenant, userId: o.userId };
    const check = <T>(schema: z.ZodType<T>): T => {
      const r = schema.safeParse(o);
      if (!r.success) throw new MnemoError("INVALID_INPUT", `Line ${i + 1}: ${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message}`);
      return r.data;
    };
    if (o.type === "episode") { const { type: _t, ...e } = check(episodeSchema); episodes.push({ ...e, ...re }); }
    else if (o.type === "segment") { const { type: _t, ...s } = check(segmentSchema); segments.push({ ...s, ...re }); }
    else if (o.type === "entity") { const { type: _t, entityType, ...en } = check(entitySchema); entities.push({ ...en, type: entityType ?? "topic", ...re }); }
    else if (o.type === "memory") { const { type: _t, ...m } = check(memorySchema); memories.push({ ...m, ...re }); }
    else if (o.type === "history") { const { type: _t, ...h } = check(historySchema); history.push(h); }
    else throw new MnemoError("INVALID_INPUT", `Line ${i + 1}: unknown type ${JSON.stringify(o.type)}.`);
  });
  // Provenance, quarantine, sensitivity and credential redaction, as for a new message (docs/SECURITY.md).
  guardImported(episodes, memories, ctx.options.trustedSources, ctx.options.now().toISOString());
  const key = re;
  const from = origin as { tenant: string; userId: string } | null;
  if (from && (from.tenant !== key.tenant || from.userId !== key.userId)) rebindAllIds(key, episodes, segments, entities, memories, history);
  else rebindDerivedIds(key, entities, memories, history);
  // Every memory must cite episodes that exist: in the file, or already in the target scope.
  const fileEpisodes = new Set(episodes.map((e) => e.id));
  const cited = [...new Set(memories.flatMap((m) => m.sources).filter((id) => !fileEpisodes.has(id)))];
  if (cited.length > 0) {
    const known = new Set((await ctx.store.getEpisodes(key, cited)).map((e) => e.id));
    const missing = cited.filter((id) => !known.has(id));
    if (missing.length > 0) throw new MnemoError("INVALID_INPUT", `${missing.length} source episode(s) of the memories are neither in the file nor in the target user, e.g. ${JSON.stringify(missing[0])}.`, { hint: "Import a whole export made by `mnemo export`." });
  }
  const existingEpisodes = new Set((await ctx.store.getEpisodes(key, episodes.map((e) => e.id))).map((e) => e.id));
  const existingMemories = new Set((await ctx.store.getMemories(key, memories.map((m) => m.id))).map((m) => m.id));
  const newEpisodes = episodes.filter((e) => !existingEpisodes.has(e.id));
  const clash = (await ctx.store.findEpisodes(key, { externalIds: newEpisodes.map((e) => e.externalId).filter((x): x is string => x !== null), hashes: [] })).filter(
    (e) => !existingEpisodes.has(e.id),
  );
  if (clash.length > 0) {
    throw new MnemoError("CONFLICT", `User ${JSON.stringify(key.userId)} already has messages with the ids ${clash.slice(0, 3).map((c) => JSON.stringify(c.externalId)).join(", ")}.`, {
      hint: "Import into a user without those messages (or erase it first).",
    });
  }
  const newHistory = history.filter((h) => !existingMemories.has(h.memoryId));
  await ensureEmbedder(ctx);
  const vectors = await vectorRows(ctx.embedder, newEpisodes, memories);
  await ctx.store.commit({ scope: key, episodes: newEpisodes, segments, entities, memories, history: newHistory, vectors });
  ctx.caches.delete(scopeCacheKey(key.tenant, key.userId));
  return { episodes: newEpisodes.length, memories: memories.length, entities: entities.length };
}
