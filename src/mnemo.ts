import envPaths from "env-paths";
import { join } from "node:path";
import { EMBEDDER_SPEC_META_KEY, scopeCacheKey, type Context } from "./core/context.js";
import { MnemoError } from "./core/errors.js";
import { resolveOptions, type MnemoOptions } from "./core/options.js";
import type { Entity, Memory, MemoryKind, MemoryVersion, MessageInput, RecallResponse, RememberResult, ScopeInput, Stats } from "./core/types.js";
import { resolveScope } from "./core/validate.js";
import { OfflineExtractor } from "./ingest/extract/offline.js";
import { LLMExtractor } from "./ingest/extract/llm.js";
import { remember, type RememberScope } from "./ingest/remember.js";
import { DeferringExtractor, extractPending, pendingCount } from "./ingest/pending.js";
import { addMemory, type AddMemoryInput } from "./lifecycle/add.js";
import { deleteEpisode, type DeleteEpisodeResult } from "./lifecycle/delete-episode.js";
import { erase } from "./lifecycle/erase.js";
import { forget, getMemory, patchMemory, type MemoryPatch } from "./lifecycle/forget.js";
import { reembed } from "./lifecycle/reembed.js";
import { restoreMemory } from "./lifecycle/restore.js";
import { exportScope, importScope, type ImportOptions } from "./lifecycle/transfer.js";
import type { Embedder } from "./providers/embeddings/types.js";
import { defaultEmbedder } from "./providers/embeddings/word-vectors.js";
import { createEmbedder } from "./providers/embeddings/index.js";
import { recall, type RecallOptions } from "./recall/recall.js";
import { openStore } from "./store/open.js";
import type { Page, Store } from "./store/types.js";

/**
 * The default database path: $MNEMO_DB, else `mnemo.db` in the user's data directory.
 *
 * @example
 * ```ts
 * defaultDbPath({ MNEMO_DB: "/tmp/m.db" }); // "/tmp/m.db"
 * defaultDbPath(); // $MNEMO_DB, else <user data dir>/mnemo.db
 * ```
 */
export function defaultDbPath(env: Record<string, string | undefined> = process.env): string {
  return env.MNEMO_DB ?? join(envPaths("mnemo", { suffix: "" }).data, "mnemo.db");
}

/** The user named in an export's header line (to lock the import's scope). */
function headerUser(jsonl: string): string | undefined {
  try {
    const h = JSON.parse(jsonl.slice(0, Math.max(0, jsonl.indexOf("\n")) || jsonl.length)) as { userId?: unknown };
    return typeof h.userId === "string" ? h.userId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Mnemo: long-term memory for agents. A thin facade; each method delegates to one
 * operation module (`ingest/`, `recall/`, `lifecycle/`).
 *
 * @example
 * ```ts
 * const mnemo = await Mnemo.open({ path: "./memory.db" });
 * await mnemo.remember([{ speaker: "Caroline", content: "I moved to Boston last month.", occurredAt: "2023-05-08" }], { userId: "u1" });
 * const { context } = await mnemo.recall("Where does Caroline live?", { userId: "u1", budgetTokens: 300 });
 * await mnemo.close();
 * ```
 */
export class Mnemo {
  private readonly ctx: Context;
  private closed = false;
  private readonly locks = new Map<string, Promise<void>>();

  private constructor(ctx: Context) {
    this.ctx = ctx;
  }

  /** Opens a Mnemo on a SQLite file (default), a `postgres://` URL (`path`) or the given store. */
  static async open(options: MnemoOptions = {}): Promise<Mnemo> {
    const resolved = resolveOptions(options);
    const store: Store = options.store ?? (await openStore(resolved.path ?? defaultDbPath(), { cacheBytes: options.cacheBytes }));
    // With a model, a provider outage queues the turns instead of failing `remember`.
    const extractor = options.extractor ?? (options.llm ? new DeferringExtractor(new LLMExtractor(options.llm), store) : new OfflineExtractor());
    // Without an embedder, the one the store remembers (set by `mnemo --embedder`), else the default.
    const spec = options.embedder ? null : await store.getMeta(EMBEDDER_SPEC_META_KEY);
    const embedder = options.embedder ?? (spec ? await createEmbedder(spec) : await defaultEmbedder());
    return new Mnemo({ store, options: resolved, embedder, extractor, caches: new Map() });
  }

  private get c(): Context {
    if (this.closed) throw new MnemoError("CLOSED");
    return this.ctx;
  }

  /** The default tenant of this instance. */
  get tenant(): string {
    return this.c.options.tenant;
  }

  /** The embedder of this instance (its `id` and `dim` are what the store's vectors are checked against). */
  get embedder(): Embedder {
    return this.c.embedder;
  }

  /** The underlying store (for tools and tests). */
  get store(): Store {
    return this.c.store;
  }

  /** Stores messages and distils memories from them. Idempotent per message id. */
  remember(messages: MessageInput[], scope: RememberScope): Promise<RememberResult> {
    const c = this.c;
    if (!(c.extractor instanceof DeferringExtractor)) return this.locked(scope, () => remember(c, messages, scope));
    return this.locked(scope, async () => {
      // LLM mode: first extract turns queued while the provider was down (kept queued if it still is).
      const s = resolveScope(scope, c.options.tenant);
      await extractPending(c, s);
      const r = await remember(c, messages, scope);
      const pending = await pendingCount(c.store, s.tenant, s.userId);
      return pending > 0 ? { ...r, pendingExtraction: pending } : r;
    });
  }

  /**
   * Extracts turns queued while the model provider was down (LLM mode), for one user or every
   * user of the tenant. Turns stay queued if the provider is still down.
   *
   * @example
   * ```ts
   * const r = await mnemo.extractPending({ userId: "alice" }); // { extracted: 2, pending: 0, memories: 1 }
   * ```
   */
  async extractPending(scope?: Partial<ScopeInput>): Promise<{ extracted: number; pending: number; memories: number }> {
    const c = this.c;
    const tenant = scope?.tenant ?? c.options.tenant;
    const users = scope?.userId ? [scope.userId] : await c.store.listUsers(tenant);
    const total = { extracted: 0, pending: 0, memories: 0 };
    for (const userId of users) {
      const r = await this.locked({ tenant, userId }, () => extractPending(c, resolveScope({ tenant, userId }, tenant)));
      total.extracted += r.extracted;
      total.pending += r.pending;
      total.memories += r.memories;
    }
    return total;
  }

  /** Returns the memories and snippets that answer `query`, under a token budget. */
  recall(query: string, options: RecallOptions): Promise<RecallResponse> {
    return recall(this.c, query, options);
  }

  /**
   * Adds a fact, preference or instruction directly, without a conversation (idempotent per
   * `key`, or per kind and text).
   *
   * @example
   * ```ts
   * const { memory } = await mnemo.add({ kind: "preference", text: "Alice prefers window seats." }, { userId: "alice" });
   * ```
   */
  add(input: AddMemoryInput, scope: ScopeInput): Promise<{ memory: Memory; created: boolean; changed: boolean }> {
    return this.locked(scope, () => addMemory(this.c, input, scope));
  }

  /**
   * Undoes a forget: the memory is recalled again.
   *
   * @example
   * ```ts
   * await mnemo.forget(id); await mnemo.restore(id);
   * ```
   */
  async restore(id: string, scope?: Partial<ScopeInput>): Promise<Memory> {
    const owner = await this.ownerOf(id, scope);
    return this.locked(owner, () => restoreMemory(this.c, owner.tenant, id, scope?.userId));
  }

  /** Forgets a memory (kept in history, never recalled). */
  async forget(id: string, scope?: Partial<ScopeInput>): Promise<Memory> {
    const owner = await this.ownerOf(id, scope);
    return this.locked(owner, () => forget(this.c, owner.tenant, id, scope?.userId));
  }

  /**
   * Deletes one message (by episode id or your message id): hard-deletes it and the memories
   * that came only from it; others drop it from their sources.
   */
  deleteEpisode(id: string, scope: ScopeInput): Promise<DeleteEpisodeResult> {
    return this.locked(scope, () => deleteEpisode(this.c, id, scope));
  }

  /** Hard-deletes a user and everything derived from them. */
  erase(scope: ScopeInput): Promise<{ episodes: number; memories: number; entities: number }> {
    return this.locked(scope, () => erase(this.c, scope));
  }

  /** One memory by id (NOT_FOUND if absent or in another tenant/user). */
  memory(id: string, scope?: Partial<ScopeInput>): Promise<Memory> {
    return getMemory(this.c, scope?.tenant ?? this.c.options.tenant, id, scope?.userId);
  }

  /** Every version of a memory, oldest first. */
  async history(id: string, scope?: Partial<ScopeInput>): Promise<MemoryVersion[]> {
    const m = await this.memory(id, scope);
    return this.c.store.memoryHistory(m.tenant, m.id);
  }

  /** Edits a memory; the old version stays in history. */
  async update(id: string, patch: MemoryPatch, scope?: Partial<ScopeInput>): Promise<Memory> {
    const owner = await this.ownerOf(id, scope);
    return this.locked(owner, () => patchMemory(this.c, owner.tenant, id, patch, scope?.userId));
  }

  /** Lists a user's memories, newest first, paginated. */
  memories(scope: ScopeInput & { kinds?: MemoryKind[]; includeInvalidated?: boolean; includeForgotten?: boolean; cursor?: string; limit?: number }): Promise<Page<Memory>> {
    const s = resolveScope(scope, this.c.options.tenant);
    return this.c.store.listMemories({ tenant: s.tenant, userId: s.userId, agentId: s.agentId, kinds: scope.kinds, includeInvalidated: scope.includeInvalidated, includeForgotten: scope.includeForgotten, cursor: scope.cursor, limit: scope.limit });
  }

  /** A user's entities. */
  entities(scope: ScopeInput): Promise<Entity[]> {
    const s = resolveScope(scope, this.c.options.tenant);
    return this.c.store.listEntities({ tenant: s.tenant, userId: s.userId });
  }

  /** Counts for a user, a tenant or the whole store. */
  stats(scope?: { tenant?: string; userId?: string }): Promise<Stats> {
    return this.c.store.stats(scope);
  }

  /** The users of a tenant. */
  users(tenant?: string): Promise<string[]> {
    return this.c.store.listUsers(tenant ?? this.c.options.tenant);
  }

  /** Exports a user as JSONL lines. */
  export(scope: ScopeInput): AsyncGenerator<string> {
    return exportScope(this.c, scope);
  }

  /** Imports JSONL made by `export`. */
  import(jsonl: string, scope?: Partial<ScopeInput>, options?: ImportOptions): Promise<{ episodes: number; memories: number; entities: number }> {
    return this.locked({ tenant: scope?.tenant, userId: scope?.userId ?? headerUser(jsonl) }, () => importScope(this.c, jsonl, scope, options));
  }

  /** Rebuilds all vectors with the configured embedder. */
  async reembed(): Promise<{ vectors: number }> {
    return reembed(this.c, await this.c.store.listTenants());
  }

  /**
   * Runs writes of one scope one at a time, in call order (writes of different users still
   * run concurrently): two concurrent `remember` calls with the same messages store them
   * once instead of racing on the store's unique keys.
   */
  private locked<T>(scope: Partial<ScopeInput> | undefined, fn: () => Promise<T>): Promise<T> {
    const k = scopeCacheKey(scope?.tenant ?? this.c.options.tenant, typeof scope?.userId === "string" ? scope.userId : "");
    const prev = this.locks.get(k) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(k, tail);
    void tail.then(() => {
      if (this.locks.get(k) === tail) this.locks.delete(k);
    });
    return run;
  }

  /** The scope of a memory (to lock it), NOT_FOUND when absent. */
  private async ownerOf(id: string, scope: Partial<ScopeInput> | undefined): Promise<{ tenant: string; userId: string }> {
    const m = await getMemory(this.c, scope?.tenant ?? this.c.options.tenant, id, scope?.userId);
    return { tenant: m.tenant, userId: m.userId };
  }

  /** Closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ctx.store.close();
  }
}
