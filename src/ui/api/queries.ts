/**
 * The read queries behind the inspector routes. Each takes the Mnemo facade and the
 * tenant (always from the key) and returns plain JSON for the route to send.
 */
import { MnemoError } from "../../core/errors.js";
import type { Episode, Memory, MemoryKind } from "../../core/types.js";
import type { Mnemo } from "../../mnemo.js";
import { toApiMemory, toApiVersion } from "../../server/types.js";

/** Status of a memory as the inspector shows it. */
export type MemoryStatus = "valid" | "invalidated" | "forgotten";

const INTERNAL_FIELDS = new Set(["tenant", "slot", "segmentIds"]);

/**
 * The status of a memory: forgotten wins over invalidated.
 *
 * @example
 * ```ts
 * statusOf({ forgottenAt: null, invalidatedAt: "2024-01-01T00:00:00Z" } as Memory); // "invalidated"
 * ```
 */
export function statusOf(m: Pick<Memory, "forgottenAt" | "invalidatedAt">): MemoryStatus {
  return m.forgottenAt ? "forgotten" : m.invalidatedAt ? "invalidated" : "valid";
}

/**
 * A memory for the inspector: the API shape, its status, and any field a newer store adds
 * (e.g. a source role or a sensitivity), minus internal ones.
 *
 * @example
 * ```ts
 * const m = inspectMemory(await mnemo.memory("mem_1")); // { ...fields, status: "valid" }
 * ```
 */
export function inspectMemory(m: Memory): Record<string, unknown> & { status: MemoryStatus } {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) if (!INTERNAL_FIELDS.has(k)) extra[k] = v;
  return { ...extra, ...toApiMemory(m), status: statusOf(m) };
}

/**
 * The source role of a memory where the store records one (provenance: `source`, or
 * `sourceRole` in the record or its metadata); null when it records none.
 *
 * @example
 * ```ts
 * roleOf({ source: "assistant" } as unknown as Memory); // "assistant"
 * ```
 */
export function roleOf(m: Memory): string | null {
  const r = m as unknown as Record<string, unknown>;
  const meta = (m.metadata ?? {}) as Record<string, unknown>;
  for (const v of [r.source, r.sourceRole, meta.sourceRole]) if (typeof v === "string" && v !== "") return v;
  return null;
}

/**
 * The sensitive categories of a memory where the store records them (`["none"]` for a
 * record with an empty list); null when it records none.
 *
 * @example
 * ```ts
 * sensitivityOf({ sensitivity: ["health"] } as unknown as Memory); // ["health"]
 * ```
 */
export function sensitivityOf(m: Memory): string[] | null {
  const v = (m as unknown as Record<string, unknown>).sensitivity ?? (m.metadata ?? {}).sensitivity;
  if (typeof v === "string" && v !== "") return [v];
  if (Array.isArray(v)) {
    const cats = v.filter((x): x is string => typeof x === "string" && x !== "");
    return cats.length ? cats : ["none"];
  }
  return null;
}

/**
 * Fails with UNKNOWN_USER when the user has nothing in the tenant.
 *
 * @example
 * ```ts
 * await requireUser(mnemo, "acme", "alice");
 * ```
 */
export async function requireUser(mnemo: Mnemo, tenant: string, userId: string): Promise<void> {
  const s = await mnemo.store.stats({ tenant, userId });
  if (s.episodes + s.memories + s.entities + s.segments === 0) {
    const users = await mnemo.store.listUsers(tenant);
    if (!users.includes(userId)) throw new MnemoError("UNKNOWN_USER", `No user ${JSON.stringify(userId)} in this tenant.`, { hint: "List users with GET /v1/inspect/users." });
  }
}

/**
 * Every memory of a user, valid or not, newest first.
 *
 * @example
 * ```ts
 * const all = await allMemories(mnemo, "acme", "alice");
 * ```
 */
export async function allMemories(mnemo: Mnemo, tenant: string, userId: string): Promise<Memory[]> {
  const out: Memory[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await mnemo.store.listMemories({ tenant, userId, includeInvalidated: true, includeForgotten: true, cursor, limit: 1000 });
    out.push(...page.items);
    if (!page.nextCursor || page.items.length === 0) return out;
    cursor = page.nextCursor;
  }
}

/**
 * The users of a tenant with their counts (valid memories only).
 *
 * @example
 * ```ts
 * const { items } = await listUsers(mnemo, "acme"); // [{ userId: "alice", episodes: 2, memories: 3, entities: 1, segments: 1 }]
 * ```
 */
export async function listUsers(mnemo: Mnemo, tenant: string) {
  const users = await mnemo.store.listUsers(tenant);
  const items = [];
  for (const userId of users) {
    const s = await mnemo.store.stats({ tenant, userId });
    items.push({ userId, episodes: s.episodes, memories: s.memories, entities: s.entities, segments: s.segments });
  }
  return { items };
}

/**
 * Filters of {@link searchMemories}.
 *
 * @example
 * ```ts
 * const f: MemorySearch = { q: "lisbon", kinds: ["fact"], statuses: ["valid"] };
 * ```
 */
export interface MemorySearch {
  q?: string | undefined;
  kinds?: MemoryKind[] | undefined;
  statuses?: MemoryStatus[] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  role?: string | undefined;
  sensitivity?: string | undefined;
  limit?: number | undefined;
  cursor?: number | undefined;
}

function bump(rec: Record<string, number>, key: string | null): void {
  if (key !== null) rec[key] = (rec[key] ?? 0) + 1;
}

/**
 * A user's memories matching the filters (newest observed first), one page, with facet
 * counts over all the user's memories.
 *
 * @example
 * ```ts
 * const page = await searchMemories(mnemo, "acme", "alice", { q: "surf", statuses: ["valid"] });
 * ```
 */
export async function searchMemories(mnemo: Mnemo, tenant: string, userId: string, f: MemorySearch) {
  await requireUser(mnemo, tenant, userId);
  const all = await allMemories(mnemo, tenant, userId);
  const facets = { kinds: {} as Record<string, number>, statuses: {} as Record<string, number>, roles: {} as Record<string, number>, sensitivities: {} as Record<string, number> };
  const q = f.q?.trim().toLowerCase() ?? "";
  const statuses = f.statuses ?? ["valid"];
  const matches: Memory[] = [];
  for (const m of all) {
    bump(facets.kinds, m.kind);
    bump(facets.statuses, statusOf(m));
    bump(facets.roles, roleOf(m));
    const sens = sensitivityOf(m);
    for (const c of sens ?? []) bump(facets.sensitivities, c);
    if (f.kinds && !f.kinds.includes(m.kind)) continue;
    if (!statuses.includes(statusOf(m))) continue;
    const day = m.observedAt.slice(0, 10);
    if (f.from && day < f.from) continue;
    if (f.to && day > f.to) continue;
    if (f.role && roleOf(m) !== f.role) continue;
    if (f.sensitivity && !(sens ?? []).includes(f.sensitivity)) continue;
    if (q && !m.text.toLowerCase().includes(q) && !(m.subject ?? "").toLowerCase().includes(q)) continue;
    matches.push(m);
  }
  matches.sort((a, b) => (a.observedAt < b.observedAt ? 1 : a.observedAt > b.observedAt ? -1 : a.id < b.id ? -1 : 1));
  const start = f.cursor ?? 0;
  const limit = f.limit ?? 100;
  const items = matches.slice(start, start + limit).map(inspectMemory);
  return { items, total: matches.length, nextCursor: start + limit < matches.length ? String(start + limit) : null, facets };
}

function episodeView(e: Episode) {
  const { tenant: _t, contentHash: _h, userId: _u, ...rest } = e;
  return rest;
}

/**
 * A user's conversation for one day (UTC; default the latest), each message with the
 * memories whose sources include it, and the list of days that have messages.
 *
 * @example
 * ```ts
 * const { days, items } = await episodesByDay(mnemo, "acme", "alice", "2024-04-02");
 * ```
 */
export async function episodesByDay(mnemo: Mnemo, tenant: string, userId: string, day?: string) {
  await requireUser(mnemo, tenant, userId);
  const episodes = await mnemo.store.listEpisodes({ tenant, userId });
  const counts = new Map<string, number>();
  for (const e of episodes) counts.set(e.occurredAt.slice(0, 10), (counts.get(e.occurredAt.slice(0, 10)) ?? 0) + 1);
  const days = [...counts].map(([d, count]) => ({ day: d, count }));
  const chosen = day ?? days.at(-1)?.day ?? null;
  const todays = episodes.filter((e) => e.occurredAt.slice(0, 10) === chosen);
  const wanted = new Set(todays.map((e) => e.id));
  const derived = new Map<string, Array<{ id: string; kind: string; text: string; status: MemoryStatus }>>();
  if (wanted.size > 0) {
    for (const m of await allMemories(mnemo, tenant, userId)) {
      for (const s of m.sources) {
        if (!wanted.has(s)) continue;
        const list = derived.get(s) ?? [];
        list.push({ id: m.id, kind: m.kind, text: m.text, status: statusOf(m) });
        derived.set(s, list);
      }
    }
  }
  return { days, day: chosen, items: todays.map((e) => ({ ...episodeView(e), memories: derived.get(e.id) ?? [] })) };
}

/**
 * The entity graph of a user: entities with the ids of their valid memories, those memories,
 * and an edge between two entities for each memory that names both.
 *
 * @example
 * ```ts
 * const { entities, edges } = await entityGraph(mnemo, "acme", "alice");
 * ```
 */
export async function entityGraph(mnemo: Mnemo, tenant: string, userId: string) {
  await requireUser(mnemo, tenant, userId);
  const entities = await mnemo.store.listEntities({ tenant, userId });
  const known = new Set(entities.map((e) => e.id));
  const byEntity = new Map<string, string[]>();
  const memories = [];
  const weights = new Map<string, number>();
  for (const m of await allMemories(mnemo, tenant, userId)) {
    if (statusOf(m) !== "valid") continue;
    const ids = m.entityIds.filter((id) => known.has(id));
    if (ids.length === 0) continue;
    memories.push({ id: m.id, kind: m.kind, text: m.text, entityIds: ids });
    for (const id of ids) byEntity.set(id, [...(byEntity.get(id) ?? []), m.id]);
    const sorted = [...new Set(ids)].sort();
    for (let i = 0; i < sorted.length; i++) for (let j = i + 1; j < sorted.length; j++) {
      const k = `${sorted[i]}\u0000${sorted[j]}`;
      weights.set(k, (weights.get(k) ?? 0) + 1);
    }
  }
  const edges = [...weights].map(([k, weight]) => {
    const [source, target] = k.split("\u0000") as [string, string];
    return { source, target, weight };
  });
  return {
    entities: entities.map((e) => ({ id: e.id, name: e.name, type: e.type, aliases: e.aliases, mentionCount: e.mentionCount, memoryIds: byEntity.get(e.id) ?? [] })),
    memories,
    edges,
  };
}

/**
 * One memory with its versions (oldest first), the messages any version came from, and its entities.
 *
 * @example
 * ```ts
 * const { memory, versions, episodes } = await memoryTrace(mnemo, "acme", "mem_1");
 * ```
 */
export async function memoryTrace(mnemo: Mnemo, tenant: string, id: string) {
  const m = await mnemo.store.getMemory(tenant, id);
  if (!m) throw new MnemoError("NOT_FOUND", `No memory ${JSON.stringify(id)}.`);
  const versions = await mnemo.store.memoryHistory(tenant, id);
  const scope = { tenant, userId: m.userId };
  const ids = [...new Set([...m.sources, ...versions.flatMap((v) => v.sources)])];
  const episodes = (await mnemo.store.getEpisodes(scope, ids)).sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.seq - b.seq));
  const wantedEntities = new Set(m.entityIds);
  const entities = wantedEntities.size ? (await mnemo.store.listEntities(scope)).filter((e) => wantedEntities.has(e.id)).map((e) => ({ id: e.id, name: e.name, type: e.type })) : [];
  return { memory: inspectMemory(m), versions: versions.map(toApiVersion), episodes: episodes.map(episodeView), entities };
}
