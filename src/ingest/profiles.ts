import type { Context } from "../core/context.js";
import { stableId } from "../core/ids.js";
import type { Entity, Memory, MemoryVersion, Scope } from "../core/types.js";
import { tagSensitivity } from "../guard/sensitivity.js";

/**
 * How many facts a profile summary keeps.
 *
 * @example
 * ```ts
 * const kept = lines.sort((a, b) => b.importance - a.importance).slice(0, PROFILE_LINES); // at most 10
 * ```
 */
export const PROFILE_LINES = 10;

interface ProfileLine {
  memoryId: string;
  text: string;
  sources: string[];
  importance: number;
  observedAt: string;
}

function isLines(v: unknown): v is ProfileLine[] {
  return Array.isArray(v) && v.every((x) => typeof x === "object" && x !== null && "memoryId" in x && "text" in x);
}

/**
 * Maintains one `summary` memory per person (the top of the hierarchy): the most
 * important current profile and preference facts about them, with the union of those
 * facts' sources as provenance. Invalidated facts drop out; history records each change.
 *
 * @example
 * ```ts
 * const { memories } = await updateProfiles(ctx, scope, changedMemories, entities, now);
 * ```
 */
export async function updateProfiles(
  ctx: Context,
  scope: Scope,
  changed: Memory[],
  entities: Entity[],
  now: string,
): Promise<{ memories: Memory[]; history: MemoryVersion[] }> {
  const people = new Map(entities.filter((e) => e.type === "person").map((e) => [e.name, e]));
  const bySubject = new Map<string, Memory[]>();
  for (const m of changed) {
    if (!m.subject || !people.has(m.subject) || m.kind === "summary") continue;
    if (m.kind !== "profile" && m.kind !== "preference" && !m.invalidatedAt) continue;
    const list = bySubject.get(m.subject);
    if (list) list.push(m);
    else bySubject.set(m.subject, [m]);
  }
  if (bySubject.size === 0) return { memories: [], history: [] };
  const key = { tenant: scope.tenant, userId: scope.userId };
  const ids = [...bySubject.keys()].map((s) => stableId("mem", scope.tenant, scope.userId, "profile", s.toLowerCase()));
  const existing = new Map((await ctx.store.getMemories(key, ids)).map((m) => [m.id, m]));
  const memories: Memory[] = [];
  const history: MemoryVersion[] = [];
  for (const [subject, ms] of bySubject) {
    const id = stableId("mem", scope.tenant, scope.userId, "profile", subject.toLowerCase());
    const old = existing.get(id);
    // A summary the user forgot stays forgotten.
    if (old?.forgottenAt) continue;
    const lines = new Map<string, ProfileLine>((old && isLines(old.metadata.lines) ? old.metadata.lines : []).map((l) => [l.memoryId, l]));
    for (const m of ms) {
      if (m.invalidatedAt || m.forgottenAt) lines.delete(m.id);
      else lines.set(m.id, { memoryId: m.id, text: m.text, sources: m.sources, importance: m.importance, observedAt: m.observedAt });
    }
    const kept = [...lines.values()].sort((a, b) => b.importance - a.importance || b.observedAt.localeCompare(a.observedAt)).slice(0, PROFILE_LINES);
    if (kept.length === 0) {
      // No current fact left: the summary stops being true (still answerable "as of" before).
      if (old && !old.invalidatedAt) {
        const inv: Memory = { ...old, validTo: now, invalidatedAt: now, version: old.version + 1, metadata: { lines: [] } };
        memories.push(inv);
        history.push({ memoryId: id, version: inv.version, op: "invalidate", text: old.text, validFrom: old.validFrom, validTo: now, sources: old.sources, at: now, reason: "no current fact left" });
      }
      continue;
    }
    // Lines keep the speaker's words; the "Maya: " they open with is the profile's own name.
    const own = `${subject}: `;
    const text = `Profile of ${subject}: ${kept.map((l) => (l.text.startsWith(own) ? l.text.slice(own.length) : l.text).replace(/[.!]+$/, "")).join("; ")}.`;
    if (old && old.text === text && !old.invalidatedAt) continue;
    const entity = people.get(subject)!;
    const m: Memory = {
      id,
      tenant: scope.tenant,
      userId: scope.userId,
      agentId: scope.agentId ?? null,
      kind: "summary",
      text,
      subject,
      slot: null,
      validFrom: null,
      validTo: null,
      observedAt: kept.map((l) => l.observedAt).sort().at(-1)!,
      recordedAt: old?.recordedAt ?? now,
      invalidatedAt: null,
      confidence: 0.6,
      importance: 0.5,
      strength: old?.strength ?? 1,
      lastAccessedAt: old?.lastAccessedAt ?? now,
      accessCount: old?.accessCount ?? 0,
      sources: [...new Set(kept.flatMap((l) => l.sources))],
      entityIds: [entity.id],
      segmentIds: [],
      version: (old?.version ?? 0) + 1,
      forgottenAt: null,
      expiresAt: null,
      metadata: { lines: kept },
      // Built only from trusted profile and preference memories (src/guard/ingest.ts); as sensitive as its text.
      source: "user",
      trust: "trusted",
      sensitivity: tagSensitivity(text),
    };
    memories.push(m);
    history.push({ memoryId: id, version: m.version, op: old ? "update" : "add", text, validFrom: null, validTo: null, sources: m.sources, at: now, reason: "profile summary" });
  }
  return { memories, history };
}
