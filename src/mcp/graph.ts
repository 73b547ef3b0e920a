import { allMemories } from "../store/all-memories.js";
import type { Memory } from "../core/types.js";
import type { Mnemo } from "../mnemo.js";

/**
 * An entity in the official MCP memory server's format.
 *
 * @example
 * ```ts
 * const e: KgEntity = { name: "Boston", entityType: "place", observations: ["Caroline moved to Boston."] };
 * ```
 */
export interface KgEntity {
  name: string;
  entityType: string;
  observations: string[];
}

/**
 * A relation in the official MCP memory server's format.
 *
 * @example
 * ```ts
 * const r: KgRelation = { from: "Caroline", to: "Rex", relationType: "co_mentioned" };
 * ```
 */
export interface KgRelation {
  from: string;
  to: string;
  relationType: string;
}

/**
 * A knowledge graph as the official `@modelcontextprotocol/server-memory` returns it.
 *
 * @example
 * ```ts
 * const g: KnowledgeGraph = { entities: [{ name: "Caroline", entityType: "person", observations: ["Caroline moved to Boston."] }], relations: [] };
 * ```
 */
export interface KnowledgeGraph {
  entities: KgEntity[];
  relations: KgRelation[];
}

const MAX_MEMORIES = 20_000;
const MAX_RELATIONS = 5_000;

async function activeMemories(mnemo: Mnemo, scope: { tenant: string; userId: string }): Promise<Memory[]> {
  return allMemories(mnemo.store, scope, MAX_MEMORIES);
}

/**
 * Builds a user's graph: entities become nodes whose observations are the texts of the
 * active memories linked to them; two entities linked to the same memory get a
 * `co_mentioned` relation.
 *
 * @example
 * ```ts
 * const graph = await readGraph(mnemo, { tenant: "default", userId: "alice" });
 * ```
 */
export async function readGraph(mnemo: Mnemo, scope: { tenant: string; userId: string }): Promise<KnowledgeGraph> {
  const entities = await mnemo.entities(scope);
  const memories = await activeMemories(mnemo, scope);
  const byId = new Map<string, KgEntity>(entities.map((e) => [e.id, { name: e.name, entityType: e.type, observations: [] }]));
  const relations = new Map<string, KgRelation>();
  for (const m of memories.slice().reverse()) {
    const linked = [...new Set(m.entityIds)].map((id) => byId.get(id)).filter((e): e is KgEntity => e !== undefined);
    for (const e of linked) if (!e.observations.includes(m.text)) e.observations.push(m.text);
    for (let i = 0; i < linked.length && relations.size < MAX_RELATIONS; i++) {
      for (let j = i + 1; j < linked.length; j++) {
        const [a, b] = [linked[i]!.name, linked[j]!.name].sort();
        if (a === b) continue;
        relations.set(`${a}\u0000${b}`, { from: a!, to: b!, relationType: "co_mentioned" });
      }
    }
  }
  return { entities: [...byId.values()], relations: [...relations.values()] };
}

function restrict(graph: KnowledgeGraph, keep: (e: KgEntity) => boolean): KnowledgeGraph {
  const entities = graph.entities.filter(keep);
  const names = new Set(entities.map((e) => e.name));
  return { entities, relations: graph.relations.filter((r) => names.has(r.from) && names.has(r.to)) };
}

/**
 * The official server's `search_nodes`: entities whose name, type or any observation
 * contains the query (case-insensitive), and the relations among them.
 *
 * @example
 * ```ts
 * searchGraph(graph, "boston").entities.map((e) => e.name);
 * ```
 */
export function searchGraph(graph: KnowledgeGraph, query: string): KnowledgeGraph {
  const q = query.toLowerCase();
  return restrict(graph, (e) => e.name.toLowerCase().includes(q) || e.entityType.toLowerCase().includes(q) || e.observations.some((o) => o.toLowerCase().includes(q)));
}

/**
 * The official server's `open_nodes`: the named entities (exact names, case-insensitive) and the relations among them.
 *
 * @example
 * ```ts
 * openNodes(graph, ["Caroline"]);
 * ```
 */
export function openNodes(graph: KnowledgeGraph, names: string[]): KnowledgeGraph {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  return restrict(graph, (e) => wanted.has(e.name.toLowerCase()));
}
