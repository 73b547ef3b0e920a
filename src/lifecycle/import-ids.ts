import type { Context } from "../core/context.js";
import { isScopedId, scopedId, stableId } from "../core/ids.js";
import type { Entity, Episode, Memory, MemoryVersion, Segment } from "../core/types.js";

/**
 * The records of one import, before they are written.
 *
 * @example
 * ```ts
 * const recs: ImportRecords = { episodes: [], segments: [], entities: [], memories: [], history: [] };
 * ```
 */
export interface ImportRecords {
  episodes: Episode[];
  segments: Segment[];
  entities: Entity[];
  memories: Memory[];
  history: MemoryVersion[];
}

/**
 * Gives every imported record an id the target scope owns, and rewrites references.
 * An id is kept only when the target scope already holds it, or when it verifies as an
 * id made for this scope ({@link isScopedId}); entity and profile-summary ids must be the
 * ones the scope derives from their names. Every other id is rebound to a deterministic id
 * of the target scope (so re-importing the same file lands on the same records).
 *
 * The decision reads the target scope only, never another scope: an import cannot take
 * over another tenant's ids, and its answer (status, counts, ids in a later export) does
 * not depend on what other tenants hold, so it is no existence oracle.
 *
 * @example
 * ```ts
 * await bindImportIds(ctx, { tenant: "acme", userId: "alice" }, recs);
 * ```
 */
export async function bindImportIds(ctx: Context, key: { tenant: string; userId: string }, recs: ImportRecords): Promise<void> {
  const [heldEpisodes, heldSegments, heldMemories] = await Promise.all([
    ctx.store.getEpisodes(key, recs.episodes.map((e) => e.id)),
    ctx.store.getSegments(key, recs.segments.map((s) => s.id)),
    ctx.store.getMemories(key, recs.memories.map((m) => m.id)),
  ]);
  const held = new Set([...heldEpisodes, ...heldSegments, ...heldMemories].map((r) => r.id));
  const binder = (prefix: string) => {
    const map = new Map<string, string>();
    /** Ids of the file's own records (kept or rebound). */
    const inFile = new Set<string>();
    const rebind = (old: string) => (held.has(old) || isScopedId(old, prefix, key) ? old : scopedId(prefix, key, `${prefix}\u0000${old}`));
    return {
      bind(old: string): string {
        inFile.add(old);
        const next = rebind(old);
        if (next !== old) map.set(old, next);
        return next;
      },
      set: (old: string, next: string) => (inFile.add(old), next !== old ? map.set(old, next) : undefined, next),
      // A reference to a record the file does not hold (a message deleted since, cited by a
      // history row) is rebound like the records: another scope's id never comes in.
      id: (old: string) => map.get(old) ?? (inFile.has(old) ? old : rebind(old)),
    };
  };
  const ep = binder("ep");
  const seg = binder("seg");
  const mem = binder("mem");
  const ent = binder("ent");
  for (const e of recs.episodes) e.id = ep.bind(e.id);
  for (const s of recs.segments) s.id = seg.bind(s.id);
  for (const m of recs.memories) {
    // A profile summary has the id its scope derives from its subject; any other memory
    // claiming a derived id is rebound like every foreign id.
    m.id = m.kind === "summary" && m.subject !== null ? mem.set(m.id, stableId("mem", key.tenant, key.userId, "profile", m.subject.toLowerCase())) : mem.bind(m.id);
  }
  for (const e of recs.entities) {
    const own = [e.name, ...e.aliases].map((n) => stableId("ent", key.tenant, key.userId, n.toLowerCase()));
    e.id = ent.set(e.id, own.includes(e.id) ? e.id : own[0]!);
  }
  for (const e of recs.episodes) e.segmentId = e.segmentId === null ? null : seg.id(e.segmentId);
  for (const s of recs.segments) s.episodeIds = s.episodeIds.map(ep.id);
  for (const h of recs.history) {
    h.memoryId = mem.id(h.memoryId);
    h.sources = h.sources.map(ep.id);
  }
  for (const m of recs.memories) {
    m.sources = m.sources.map(ep.id);
    m.segmentIds = m.segmentIds.map(seg.id);
    m.entityIds = m.entityIds.map(ent.id);
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
}
