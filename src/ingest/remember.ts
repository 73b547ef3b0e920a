import { vectorRows } from "../core/embed-text.js";
import { contentHash, newId } from "../core/ids.js";
import { cachePut, ensureEmbedder, scopeCacheKey, type Context } from "../core/context.js";
import { parseDate } from "../core/time.js";
import type { Entity, Episode, RememberResult, ScopeInput, Segment } from "../core/types.js";
import { resolveScope, validateMessages } from "../core/validate.js";
import { MnemoError } from "../core/errors.js";
import type { WriteBatch } from "../store/types.js";
import { consolidate } from "./consolidate.js";
import type { CandidateMemory } from "./extract/types.js";
import { MemoryIndex } from "./memory-index.js";
import { EntityResolver } from "./entities.js";
import { segmentEpisodes } from "./segment.js";
import { updateProfiles } from "./profiles.js";
import { duplicates } from "./dedup.js";
import { guardCandidates, guardEpisodes, redactMessages, stampMemories } from "../guard/ingest.js";

/**
 * The scope of a `remember` call, plus the display name of the person in `user`-role
 * messages ("I" in a user turn is them); it defaults to the `userName` option, then the userId.
 *
 * @example
 * ```ts
 * const s: RememberScope = { userId: "u42", userName: "Alice" };
 * ```
 */
export type RememberScope = ScopeInput & { userName?: string | undefined };

/**
 * Who "I" is in a `user` turn: the call's `userName`, else the option's, else the userId.
 * A blank or non-string name is INVALID_INPUT.
 *
 * @example
 * ```ts
 * userNameOf({ userId: "u1", userName: "Alice" }, undefined, "u1"); // "Alice"
 * userNameOf({ userId: "u1" }, undefined, "u1"); // "u1"
 * ```
 */
export function userNameOf(scopeInput: RememberScope, option: string | undefined, userId: string): string {
  const v = (scopeInput as { userName?: unknown }).userName;
  if (v === undefined || v === null) return option ?? userId;
  if (typeof v !== "string" || v.trim() === "" || v.length > 200) throw new MnemoError("INVALID_INPUT", "userName must be a non-empty string of at most 200 characters.");
  return v.trim();
}

/**
 * Stores messages as episodes (verbatim, idempotent), segments them, extracts candidate
 * memories, consolidates them against the scope and writes everything in one atomic
 * commit. Bad input throws a typed error before anything is written.
 *
 * @example
 * ```ts
 * await remember(ctx, [{ speaker: "Caroline", content: "I moved to Boston." }], { userId: "u1" });
 * ```
 */
export async function remember(ctx: Context, messagesInput: unknown, scopeInput: RememberScope): Promise<RememberResult> {
  const { tenant, userId } = resolveScope(scopeInput, ctx.options.tenant);
  // One writer per scope, across processes: every read below (duplicates, seq, segments, the
  // memory index, profiles) sees the latest commit, and nobody else commits to the scope
  // until this call has (or has failed and written nothing).
  return ctx.store.writeScope({ tenant, userId }, (store) => rememberInScope({ ...ctx, store }, messagesInput, scopeInput));
}

async function rememberInScope(ctx: Context, messagesInput: unknown, scopeInput: RememberScope): Promise<RememberResult> {
  const scope = resolveScope(scopeInput, ctx.options.tenant);
  const userName = userNameOf(scopeInput, ctx.options.userName, scope.userId);
  // Credentials are redacted before anything is hashed or stored (docs/SECURITY.md).
  const messages = redactMessages(validateMessages(messagesInput, ctx.options));
  const nowDate = ctx.options.now();
  const now = nowDate.toISOString();
  // Parse every date first: a bad one rejects the whole batch.
  const prepared = messages.map((m, i) => {
    const occurredAt = m.occurredAt !== undefined ? parseDate(m.occurredAt, `messages[${i}].occurredAt`) : null;
    const sessionId = m.sessionId ?? scope.sessionId ?? null;
    const speaker = m.speaker ?? m.role ?? "user";
    const hash = contentHash(sessionId, speaker, m.content, m.attachmentText ?? "", occurredAt);
    return { m, occurredAt: occurredAt ?? now, sessionId, speaker, hash };
  });
  const key = { tenant: scope.tenant, userId: scope.userId };
  const result: RememberResult = { episodes: { added: 0, duplicates: 0, ids: [] }, memories: { added: 0, updated: 0, invalidated: 0, unchanged: 0 }, segments: 0, entities: 0 };
  const dedup = await duplicates(ctx, key, prepared, nowDate);
  // The scope's last sequence number: kept per scope for one generation (MAX(seq) reads
  // the user's episodes on a store without a seq index), advanced by this call's commit.
  const seqKey = "maxseq\u0000" + scopeCacheKey(scope.tenant, scope.userId);
  const generationAtStart = await ctx.store.generation(key);
  const knownSeq = ctx.caches.get(seqKey) as { generation: number; seq: number } | undefined;
  let seq = knownSeq && knownSeq.generation === generationAtStart ? knownSeq.seq : await ctx.store.maxSeq(key);
  const episodes: Episode[] = [];
  for (const p of prepared) {
    const dup = dedup.match(p);
    if (dup) {
      result.episodes.duplicates++;
      result.episodes.ids.push(dup);
      continue;
    }
    const ep: Episode = {
      id: newId("ep", scope),
      externalId: p.m.id ?? null,
      tenant: scope.tenant,
      userId: scope.userId,
      agentId: scope.agentId ?? null,
      sessionId: p.sessionId,
      speaker: p.speaker,
      role: p.m.role ?? null,
      text: p.m.content,
      attachmentText: p.m.attachmentText ?? null,
      occurredAt: p.occurredAt,
      recordedAt: now,
      contentHash: p.hash,
      segmentId: null,
      seq: ++seq,
      metadata: p.m.metadata ?? {},
    };
    dedup.add(p, ep.id);
    episodes.push(ep);
    result.episodes.ids.push(ep.id);
  }
  result.episodes.added = episodes.length;
  if (episodes.length === 0) return result;
  guardEpisodes(episodes, ctx.options.trustedSources, now);
  await ensureEmbedder(ctx);

  // Segment per session, continuing each session's latest segment.
  const bySession = new Map<string | null, Episode[]>();
  for (const e of episodes) {
    const list = bySession.get(e.sessionId);
    if (list) list.push(e);
    else bySession.set(e.sessionId, [e]);
  }
  const segments: Segment[] = [];
  const previous: Episode[] = [];
  for (const [sessionId, eps] of bySession) {
    eps.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.seq - b.seq);
    const last = await ctx.store.lastSegment(key, sessionId);
    const lastEps = last ? await ctx.store.getEpisodes(key, last.episodeIds) : [];
    const { segments: segs, assignment } = segmentEpisodes(eps, last, lastEps);
    for (const e of eps) e.segmentId = assignment.get(e.id) ?? null;
    segments.push(...segs);
    previous.push(...lastEps.slice(-6));
  }
  result.segments = segments.length;

  // The scope's entities, kept for one generation like the sequence number (a user's
  // entities grow with the user; reading them all was a per-remember scan).
  const entKey = "entities\u0000" + scopeCacheKey(scope.tenant, scope.userId);
  const knownEnts = ctx.caches.get(entKey) as { generation: number; entities: Entity[] } | undefined;
  const known = knownEnts && knownEnts.generation === generationAtStart ? knownEnts.entities : await ctx.store.listEntities(key);
  let candidates: CandidateMemory[];
  try {
    candidates = await ctx.extractor.extract(episodes, { scope, knownEntities: known, previous, userName });
  } catch (e) {
    if (e instanceof MnemoError) throw e;
    throw new MnemoError("PROVIDER_ERROR", `Extraction failed: ${(e as Error).message}`, { cause: e });
  }
  // Quarantined text is never distilled; untrusted text never becomes a user fact.
  candidates = guardCandidates(candidates, new Map([...previous, ...episodes].map((e) => [e.id, e])));
  const resolver = new EntityResolver(scope, known);
  candidates = resolver.learnNames(candidates);
  const entityIds = candidates.map((c) => c.entities.map((m) => resolver.resolve(m).id));
  const epInfo = new Map(episodes.map((e) => [e.id, { segmentId: e.segmentId, occurredAt: e.occurredAt }]));
  const index = await MemoryIndex.forScope(ctx, key, candidates);
  const indexKey = "memidx\u0000" + scopeCacheKey(scope.tenant, scope.userId);
  const generationBefore = index.generation;
  try {
  const consolidated = await consolidate({ index, scope, candidates, entityIds, episodes: epInfo, now });
  const profiles = await updateProfiles(ctx, scope, [...consolidated.memories.values()], resolver.all(), now);
  for (const p of profiles.memories) consolidated.memories.set(p.id, p);
  consolidated.history.push(...profiles.history);
  result.memories = consolidated.counts;
  result.entities = resolver.changes().length;

  const changed = stampMemories([...consolidated.memories.values()]);
  // Reinforced memories keep their text, so they keep their vector.
  const vectors = await vectorRows(ctx.embedder, episodes, changed.filter((m) => consolidated.textChanged.has(m.id) || m.kind === "summary"));
  const batch: WriteBatch = {
    scope: key,
    episodes,
    segments,
    entities: resolver.changes(),
    memories: changed,
    history: consolidated.history,
    vectors,
  };
  await ctx.store.commit(batch);
  ctx.caches.delete(scopeCacheKey(scope.tenant, scope.userId));
  // The memory index already holds this commit; it stays valid if no one else wrote meanwhile.
  const generationAfter = await ctx.store.generation(key);
  if (generationAfter === generationBefore + 1) index.generation = generationAfter;
  else ctx.caches.delete(indexKey);
  if (generationAfter === generationAtStart + 1) {
    cachePut(ctx.caches, seqKey, { generation: generationAfter, seq }, SEQ_CACHE_SCOPES);
    rememberEntities(ctx, entKey, generationAfter, known, resolver.changes());
  } else ctx.caches.delete(entKey);
  return result;
  } catch (e) {
    // The index may hold uncommitted changes: drop it.
    ctx.caches.delete(indexKey);
    throw e;
  }
}

/** How many scopes' last sequence numbers a process keeps (the least recently used is dropped). */
const SEQ_CACHE_SCOPES = 4096;


/** How many scopes' entity lists a process keeps (the least recently used is dropped). */
const ENTITY_CACHE_SCOPES = 64;

/** The entities after a commit: `known` with `changes` applied, in the store's order (by name, bytewise). */
function rememberEntities(ctx: Context, entKey: string, generation: number, known: Entity[], changes: Entity[]): void {
  const byId = new Map(known.map((e) => [e.id, e]));
  for (const e of changes) byId.set(e.id, { ...e, aliases: [...e.aliases] });
  const entities = [...byId.values()].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  cachePut(ctx.caches, entKey, { generation, entities }, ENTITY_CACHE_SCOPES);
}
