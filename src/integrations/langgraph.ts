/**
 * Mnemo as a LangGraph JS long-term memory store (`BaseStore`): items are Mnemo memories,
 * namespaces map to Mnemo users, and `search` with a `query` is a Mnemo recall. Import from
 * `mnemo-memory/langgraph`; `@langchain/langgraph` is an optional peer dependency.
 *
 * @example
 * ```ts
 * import { StateGraph } from "@langchain/langgraph";
 * import { MnemoStore } from "mnemo-memory/langgraph";
 * const store = new MnemoStore({ mnemo: await Mnemo.open({ path: "memory.db" }) });
 * const app = graph.compile({ store });
 * ```
 */
import {
  BaseStore,
  type GetOperation,
  type Item,
  type ListNamespacesOperation,
  type MatchCondition,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchOperation,
} from "@langchain/langgraph";
import { isMnemoError, MnemoError } from "../core/errors.js";
import type { Memory } from "../core/types.js";
import { ADDABLE_KINDS, addedMemoryId } from "../lifecycle/add.js";
import type { Mnemo } from "../mnemo.js";

type SearchItem = Item & { score?: number };

/**
 * Where a namespace lives in Mnemo: the user (and optional agent) whose memories hold it.
 *
 * @example
 * ```ts
 * const scopeOf = (ns: string[]): NamespaceScope => ({ userId: ns[1] ?? "shared" }); // ["memories", userId]
 * ```
 */
export interface NamespaceScope {
  userId: string;
  agentId?: string | undefined;
}

/**
 * Options of {@link MnemoStore}.
 *
 * @example
 * ```ts
 * const o: MnemoStoreOptions = { mnemo, scopeOf: (ns) => ({ userId: ns.at(-1)! }), budgetTokens: 2000 };
 * ```
 */
export interface MnemoStoreOptions {
  mnemo: Mnemo;
  /** Tenant (default the Mnemo's). */
  tenant?: string | undefined;
  /**
   * Maps a namespace to its Mnemo user. Default: the labels joined with ":" (e.g.
   * `["memories", "alice"]` → user `memories:alice`); labels must then be letters, digits, `-`, `_` or `@`.
   * Items of different namespaces never collide, even when they map to the same user.
   */
  scopeOf?: ((namespace: string[]) => NamespaceScope) | undefined;
  /** Memory kind of stored items whose value has no valid `kind` field (default "fact"). */
  kind?: (typeof ADDABLE_KINDS)[number] | undefined;
  /** Token budget of the recall behind `search` with a query (default 4000). */
  budgetTokens?: number | undefined;
}

interface Stored {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  createdAt: string;
}

const LABEL = /^[A-Za-z0-9_@-]+$/;
const TEXT_FIELDS = ["text", "content", "memory", "data", "fact"];

function defaultScope(namespace: string[]): NamespaceScope {
  if (namespace.length === 0) throw new MnemoError("INVALID_SCOPE", "An empty namespace has no Mnemo user.", { hint: "Put items under a namespace such as [\"memories\", userId]." });
  for (const l of namespace) if (!LABEL.test(l)) throw new MnemoError("INVALID_SCOPE", `Namespace label ${JSON.stringify(l)} cannot be part of a Mnemo user id.`, { hint: "Use letters, digits, '-', '_' or '@', or pass scopeOf to MnemoStore." });
  return { userId: namespace.join(":") };
}

function itemKey(namespace: string[], key: string): string {
  return `langgraph\u0000${namespace.join("\u0000")}\u0000${key}`;
}

function textOf(value: Record<string, unknown>, index: false | string[] | undefined): string {
  if (Array.isArray(index) && index.length > 0) {
    const parts = index.map((path) => path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), value)).filter((x): x is string => typeof x === "string" && x.trim() !== "");
    if (parts.length > 0) return parts.join("\n");
  }
  for (const f of TEXT_FIELDS) {
    const v = value[f];
    if (typeof v === "string" && v.trim() !== "") return v;
  }
  return JSON.stringify(value);
}

function matches(itemValue: unknown, filterValue: unknown): boolean {
  if (filterValue && typeof filterValue === "object" && !Array.isArray(filterValue) && Object.keys(filterValue).some((k) => k.startsWith("$"))) {
    return Object.entries(filterValue as Record<string, unknown>).every(([op, v]) => {
      switch (op) {
        case "$eq": return itemValue === v;
        case "$ne": return itemValue !== v;
        case "$gt": return Number(itemValue) > Number(v);
        case "$gte": return Number(itemValue) >= Number(v);
        case "$lt": return Number(itemValue) < Number(v);
        case "$lte": return Number(itemValue) <= Number(v);
        case "$in": return Array.isArray(v) && v.includes(itemValue);
        case "$nin": return !Array.isArray(v) || !v.includes(itemValue);
        default: return false;
      }
    });
  }
  return itemValue === filterValue;
}

function matchesCondition(c: MatchCondition, ns: string[]): boolean {
  if (c.path.length > ns.length) return false;
  const at = c.matchType === "prefix" ? 0 : ns.length - c.path.length;
  return c.path.every((p, i) => p === "*" || ns[at + i] === p);
}

function stored(m: Memory): Stored | null {
  const lg = m.metadata.langgraph as Stored | undefined;
  return lg && Array.isArray(lg.namespace) && typeof lg.key === "string" ? lg : null;
}

function toItem(m: Memory, s: Stored): Item {
  return { namespace: [...s.namespace], key: s.key, value: s.value, createdAt: new Date(s.createdAt), updatedAt: new Date(m.observedAt) };
}

const startsWith = (ns: string[], prefix: string[]) => prefix.every((p, i) => ns[i] === p);

/**
 * A LangGraph `BaseStore` backed by Mnemo. `put` stores a memory (its text is the value's
 * `text`/`content`/`memory` field, the `index` fields, or the JSON), `get` returns the value
 * exactly as put, `delete` forgets it (kept in Mnemo's history), `search` filters a namespace
 * prefix and, with a `query`, ranks the items by Mnemo recall (only recalled items are
 * returned, each with its `score`), and `listNamespaces` lists the namespaces in use.
 *
 * @example
 * ```ts
 * const store = new MnemoStore({ mnemo });
 * await store.put(["memories", "alice"], "food", { text: "Alice is vegetarian." });
 * const hits = await store.search(["memories", "alice"], { query: "What does Alice eat?" });
 * ```
 */
export class MnemoStore extends BaseStore {
  private readonly mnemo: Mnemo;
  private readonly tenant: string | undefined;
  private readonly scopeOf: (namespace: string[]) => NamespaceScope;
  private readonly kind: (typeof ADDABLE_KINDS)[number];
  private readonly budgetTokens: number;

  constructor(options: MnemoStoreOptions) {
    super();
    this.mnemo = options.mnemo;
    this.tenant = options.tenant;
    this.scopeOf = options.scopeOf ?? defaultScope;
    this.kind = options.kind ?? "fact";
    this.budgetTokens = options.budgetTokens ?? 4000;
  }

  /**
   * Runs a batch with InMemoryStore's semantics: reads (get, search, listNamespaces) see the
   * state before the batch; puts and deletes are applied afterwards, the last one per key
   * winning (each one atomic Mnemo write). A put answers null.
   */
  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const results: unknown[] = [];
    const puts = new Map<string, PutOperation>();
    for (const op of operations) {
      if ("namespacePrefix" in op) results.push(await this.doSearch(op));
      else if ("value" in op) {
        puts.set(itemKey(op.namespace, op.key), op);
        results.push(null);
      } else if ("key" in op) results.push(await this.doGet(op));
      else results.push(await this.doListNamespaces(op));
    }
    for (const op of puts.values()) await this.doPut(op);
    return results as OperationResults<Op>;
  }

  private scope(namespace: string[]) {
    const s = this.scopeOf(namespace);
    return { tenant: this.tenant, userId: s.userId, agentId: s.agentId };
  }

  private async find(namespace: string[], key: string): Promise<Memory | null> {
    const scope = this.scope(namespace);
    const id = addedMemoryId({ tenant: this.tenant ?? this.mnemo.tenant, userId: scope.userId, agentId: scope.agentId }, itemKey(namespace, key));
    try {
      return await this.mnemo.memory(id, { tenant: scope.tenant, userId: scope.userId });
    } catch (e) {
      if (isMnemoError(e, "NOT_FOUND")) return null;
      throw e;
    }
  }

  private async doGet(op: GetOperation): Promise<Item | null> {
    const m = await this.find(op.namespace, op.key);
    const s = m && !m.forgottenAt ? stored(m) : null;
    return m && s ? toItem(m, s) : null;
  }

  private async doPut(op: PutOperation): Promise<void> {
    const current = await this.find(op.namespace, op.key);
    if (op.value === null) {
      if (current && !current.forgottenAt) await this.mnemo.forget(current.id, { tenant: this.tenant, userId: current.userId });
      return;
    }
    const prev = current && !current.forgottenAt ? stored(current) : null;
    const kind = (ADDABLE_KINDS as readonly string[]).includes(op.value.kind as string) ? (op.value.kind as (typeof ADDABLE_KINDS)[number]) : this.kind;
    const value = JSON.parse(JSON.stringify(op.value)) as Record<string, unknown>;
    const langgraph: Stored = { namespace: [...op.namespace], key: op.key, value, createdAt: prev?.createdAt ?? new Date().toISOString() };
    await this.mnemo.add({ kind, text: textOf(value, op.index), key: itemKey(op.namespace, op.key), metadata: { langgraph } }, this.scope(op.namespace));
  }

  /** Every live item of the users a namespace prefix can map to. */
  private async items(prefix: string[]): Promise<Array<{ m: Memory; s: Stored }>> {
    let users = await this.mnemo.users(this.tenant);
    if (this.scopeOf === defaultScope && prefix.length > 0 && prefix.every((l) => LABEL.test(l))) {
      // With the default mapping a prefix names the users it can hold.
      const base = prefix.join(":");
      users = users.filter((u) => u === base || u.startsWith(base + ":"));
    }
    const out: Array<{ m: Memory; s: Stored }> = [];
    for (const userId of users) {
      let cursor: string | undefined;
      do {
        const page = await this.mnemo.memories({ tenant: this.tenant, userId, limit: 500, cursor });
        for (const m of page.items) {
          const s = stored(m);
          if (s && startsWith(s.namespace, prefix)) out.push({ m, s });
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    return out;
  }

  private async doSearch(op: SearchOperation): Promise<SearchItem[]> {
    const offset = op.offset ?? 0;
    const limit = op.limit ?? 10;
    let found = await this.items(op.namespacePrefix);
    if (op.filter) found = found.filter(({ s }) => Object.entries(op.filter!).every(([k, v]) => matches(s.value[k], v)));
    if (!op.query) {
      found.sort((a, b) => b.m.observedAt.localeCompare(a.m.observedAt) || a.s.key.localeCompare(b.s.key));
      return found.slice(offset, offset + limit).map(({ m, s }) => ({ ...toItem(m, s), score: undefined }));
    }
    const byId = new Map(found.map((x) => [x.m.id, x]));
    const scores = new Map<string, number>();
    for (const userId of new Set(found.map((x) => x.m.userId))) {
      const r = await this.mnemo.recall(op.query, { tenant: this.tenant, userId, budgetTokens: this.budgetTokens, includeEpisodes: false, reinforce: false });
      for (const hit of r.results) if (hit.type === "memory" && byId.has(hit.id)) scores.set(hit.id, Math.max(scores.get(hit.id) ?? -Infinity, hit.score));
    }
    return [...scores.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(offset, offset + limit)
      .map(([id, score]) => ({ ...toItem(byId.get(id)!.m, byId.get(id)!.s), score }));
  }

  private async doListNamespaces(op: ListNamespacesOperation): Promise<string[][]> {
    const all = await this.items([]);
    let nss = [...new Map(all.map(({ s }) => [s.namespace.join("\u0000"), s.namespace])).values()];
    if (op.matchConditions?.length) nss = nss.filter((ns) => op.matchConditions!.every((c) => matchesCondition(c, ns)));
    if (op.maxDepth !== undefined) nss = [...new Map(nss.map((ns) => ns.slice(0, op.maxDepth)).map((ns) => [ns.join("\u0000"), ns])).values()];
    nss.sort((a, b) => a.join(":").localeCompare(b.join(":")));
    return nss.slice(op.offset, op.offset + op.limit);
  }
}
