import type { Context } from "../core/context.js";
import type { ChannelWeights } from "../core/options.js";
import type { Segment } from "../core/types.js";
import type { LinkedMemories, ScopeKey, TextHit, VectorHit } from "../store/types.js";
import type { ChannelList } from "./fuse.js";
import type { QueryAnalysis } from "./query.js";
import { byOrder, startedRead, termSet, type Snapshot } from "./snapshot.js";

/**
 * Item keys: "m:<memory id>" or "e:<episode id>".
 *
 * @example
 * ```ts
 * const keys: ItemKey[] = ["m:mem_3f1c", "e:ep_9a2b"];
 * ```
 */
export type ItemKey = string;

/**
 * Inputs shared by the channels.
 *
 * @example
 * ```ts
 * const input: ChannelInput = { ctx, key, snap, query, queryVector, eligible: () => true, depth: 60, weights: DEFAULT_OPTIONS.recall.weights, enabled: new Set(CHANNELS) };
 * ```
 */
export interface ChannelInput {
  ctx: Context;
  key: ScopeKey;
  snap: Snapshot;
  query: QueryAnalysis;
  queryVector: Float32Array;
  eligible: (key: ItemKey) => boolean;
  depth: number;
  weights: ChannelWeights;
  /** Which channels are on (all by default); for ablations. */
  enabled: ReadonlySet<string>;
}

function overlapOf(q: Set<string>, set: Set<string>): number {
  let n = 0;
  for (const t of q) if (set.has(t)) n++;
  return n;
}

/** Ranks with ties: items with equal score share the rank of the first of them. */
function tiedRanks(scores: number[]): number[] {
  const ranks: number[] = [];
  scores.forEach((s, i) => ranks.push(i > 0 && s === scores[i - 1] ? ranks[i - 1]! : i + 1));
  return ranks;
}

/**
 * How many memories per entity the graph channel reads (the most recently written);
 * an entity's degree is always its full count.
 *
 * @example
 * ```ts
 * await store.linkedMemories(key, "entity", seedIds, GRAPH_FANOUT); // 100
 * ```
 */
export const GRAPH_FANOUT = 100;

/**
 * How many entities of an asked-for type (place, person, organisation) the answer-type
 * channel considers, most mentioned first, and how many of their memories (× the recall
 * depth) it asks the store for, ranked there by the question's words (issue 9: it used to
 * load up to 50 memories of each entity, ≈ 1,700 rows at 10K turns).
 *
 * @example
 * ```ts
 * const typed = entities.sort((a, b) => b.mentionCount - a.mentionCount).slice(0, ANSWER_TYPE_LIMITS.entities);
 * await store.searchText(key, "memory", words, ANSWER_TYPE_LIMITS.perDepth * depth, { entityIds: typed.map((e) => e.id) });
 * ```
 */
export const ANSWER_TYPE_LIMITS = { entities: 300, perDepth: 4 } as const;

/**
 * The first `depth` eligible keys of a ranked hit list, reading rows a chunk at a time
 * (most hits are eligible, so usually one chunk).
 */
async function firstEligible(inp: ChannelInput, prefix: "m:" | "e:", ids: string[], depth: number): Promise<string[]> {
  const out: string[] = [];
  const chunk = Math.max(8, Math.ceil(depth * 1.25));
  for (let i = 0; i < ids.length && out.length < depth; i += chunk) {
    const part = ids.slice(i, i + chunk);
    await (prefix === "m:" ? inp.snap.load(part) : inp.snap.load([], part));
    for (const id of part) if (out.length < depth && inp.eligible(prefix + id)) out.push(prefix + id);
  }
  return out;
}

/** Lexical channel: BM25 (the store's full-text index) over memories and episodes. */
async function lexical(inp: ChannelInput): Promise<ChannelList[]> {
  const { ctx, key, query, depth } = inp;
  const [mem, eps] = await Promise.all([
    ctx.store.searchText(key, "memory", query.words, depth * 2),
    ctx.store.searchText(key, "episode", query.words, depth * 2),
  ]);
  return [
    { channel: "lexical", weight: inp.weights.lexical, ids: await firstEligible(inp, "m:", mem.map((h) => h.id), depth) },
    { channel: "lexical", weight: inp.weights.lexical, ids: await firstEligible(inp, "e:", eps.map((h) => h.id), depth) },
  ];
}

/**
 * How many nearest vectors the dense channel asks for first, per table: a quarter more than
 * its depth (most hits are eligible). Only when fewer than `depth` of them are eligible does
 * it ask again for 3 × depth.
 *
 * @example
 * ```ts
 * const k = denseFirstK(60); // 83
 * ```
 */
export function denseFirstK(depth: number): number {
  return Math.ceil(depth * 1.25) + 8;
}

/** Dense channel: cosine similarity of embeddings (the store's vector search). */
async function dense(inp: ChannelInput, early: Early): Promise<ChannelList[]> {
  const { ctx, key, queryVector, depth } = inp;
  const one = async (target: "memory" | "episode", prefix: "m:" | "e:") => {
    const first = denseFirstK(depth);
    let hits = await early[target === "memory" ? "denseMemory" : "denseEpisode"]!;
    let ids = await firstEligible(inp, prefix, hits.filter((h) => h.score > 0).map((h) => h.id), depth);
    if (ids.length < depth && hits.length >= first && depth * 3 > first) {
      hits = await ctx.store.searchVectors(key, target, queryVector, depth * 3);
      ids = await firstEligible(inp, prefix, hits.filter((h) => h.score > 0).map((h) => h.id), depth);
    }
    return { channel: "dense", weight: inp.weights.dense, ids };
  };
  return [await one("memory", "m:"), await one("episode", "e:")];
}

/**
 * Graph channel: spreading activation over the memory–entity graph (a two-step
 * personalised-PageRank approximation). Seeds are the query's entities plus the entities
 * of the best lexical memories; an entity passes activation 1/log(2 + degree) to each of
 * its memories, so rare entities count more than the speakers who appear everywhere. An
 * entity with more memories than {@link GRAPH_FANOUT} reaches its newest ones and those
 * the other channels already found.
 */
async function graph(inp: ChannelInput, lexicalTop: string[]): Promise<ChannelList> {
  const { ctx, key, snap, query, depth } = inp;
  const seeds = new Map<string, number>();
  for (const e of query.entities) seeds.set(e.id, 1);
  for (const k of lexicalTop.slice(0, 3)) {
    const m = snap.memories.get(k.slice(2));
    for (const e of m?.entityIds ?? []) if (!seeds.has(e)) seeds.set(e, 0.5);
  }
  const score = new Map<string, number>();
  const spread = async (entities: Map<string, number>, damping: number) => {
    if (entities.size === 0) return;
    const links = await ctx.store.linkedMemories(key, "entity", [...entities.keys()], GRAPH_FANOUT);
    for (const l of links) {
      const a = entities.get(l.key) ?? 0;
      const w = (a * damping) / Math.log(2 + l.count);
      const reached = new Set(l.memoryIds);
      if (l.count > l.memoryIds.length) for (const m of snap.memories.values()) if (!m.forgottenAt && m.entityIds.includes(l.key)) reached.add(m.id);
      for (const m of reached) score.set(m, (score.get(m) ?? 0) + w);
    }
  };
  await spread(seeds, 1);
  // Second hop: entities of the most activated memories.
  const top = [...score.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
  await snap.load(top.map(([m]) => m));
  const hop = new Map<string, number>();
  for (const [m, s] of top) {
    for (const e of snap.memories.get(m)?.entityIds ?? []) if (!seeds.has(e)) hop.set(e, (hop.get(e) ?? 0) + s);
  }
  await spread(hop, 0.3);
  await snap.load(score.keys());
  // Within equal activation, prefer memories sharing query terms.
  const q = new Set(query.terms);
  const ranked = [...score.entries()]
    .filter(([m]) => inp.eligible("m:" + m))
    .map(([m, s]) => [m, s * (1 + 0.25 * overlapOf(q, termSet(snap, "m:" + m, snap.memories.get(m)?.text ?? ""))) * (0.5 + (snap.memories.get(m)?.importance ?? 0))] as const)
    .sort((a, b) => b[1] - a[1] || byOrder(snap, "m:" + a[0], "m:" + b[0]))
    .slice(0, depth);
  return { channel: "graph", weight: inp.weights.graph, ids: ranked.map(([m]) => "m:" + m), ranks: tiedRanks(ranked.map(([, s]) => s)) };
}

const ANSWER_TYPES: Array<[RegExp, string]> = [
  [/\b(where|countr(y|ies)|states?|cit(y|ies)|places?|towns?|locations?|destinations?|areas?)\b/i, "place"],
  [/\b(who|whom|people|persons?|friends?|names?|children|kids|pets?|artists?|bands?|family members)\b/i, "person"],
  [/\b(compan(y|ies)|organi[sz]ations?|charit(y|ies)|shelters?|teams?|clubs?|schools?|universit(y|ies)|brands?|stores?|shops?)\b/i, "organization"],
];

/**
 * Answer-type channel (classic QA answer typing): a question asking for places, people or
 * organisations ranks the memories linked to entities of that type, those about the
 * people it names first. The candidates are the store's best full-text matches among
 * those memories (a bounded query), not every memory of every typed entity.
 */
async function answerTypeHits(inp: ChannelInput): Promise<TextHit[] | null> {
  const { ctx, key, snap, query, depth } = inp;
  const types = new Set(ANSWER_TYPES.filter(([re]) => re.test(query.text)).map(([, t]) => t));
  if (types.size === 0) return null;
  const named = new Set(query.entities.map((e) => e.id));
  const typed = [...snap.entities.values()]
    .filter((e) => types.has(e.type) && !named.has(e.id))
    .sort((a, b) => b.mentionCount - a.mentionCount || (a.id < b.id ? -1 : 1))
    .slice(0, ANSWER_TYPE_LIMITS.entities);
  // The store ranks the typed entities' memories by the question's words (a person it
  // names matches the memories about them through their subject); only those are loaded.
  return typed.length === 0 ? [] : await ctx.store.searchText(key, "memory", [...query.words, ...query.people], ANSWER_TYPE_LIMITS.perDepth * depth, { entityIds: typed.map((e) => e.id) });
}

async function answerType(inp: ChannelInput, early: Early): Promise<ChannelList | null> {
  const { snap, query, depth } = inp;
  const hits = await early.answerType!;
  if (hits === null) return null;
  const people = new Set(query.people);
  const q = new Set(query.terms);
  await snap.load(hits.map((h) => h.id));
  const best = new Map<string, number>();
  for (const { id: mid } of hits) {
    const m = snap.memories.get(mid);
    if (!m || !inp.eligible("m:" + mid)) continue;
    const s = (m.subject !== null && people.has(m.subject) ? 2 : people.size === 0 ? 1 : 0) + overlapOf(q, termSet(snap, "m:" + mid, m.text));
    if (s > 0) best.set("m:" + mid, s);
  }
  const ranked = [...best.entries()].sort((a, b) => b[1] - a[1] || byOrder(snap, a[0], b[0])).slice(0, depth);
  return { channel: "graph", weight: inp.weights.graph, ids: ranked.map(([k]) => k), ranks: tiedRanks(ranked.map(([, v]) => v)) };
}

/**
 * Temporal channel: items whose event time falls in the query's period (the store's
 * full-text search restricted to the window), ranked by term overlap.
 */
async function temporalHits(inp: ChannelInput): Promise<[TextHit[], TextHit[]] | null> {
  const { ctx, key, query, depth } = inp;
  if (!query.timeRange) return null;
  const { from, to } = query.timeRange;
  return Promise.all([ctx.store.searchText(key, "memory", query.words, depth * 4, { from, to }), ctx.store.searchText(key, "episode", query.words, depth * 4, { from, to })]);
}

async function temporal(inp: ChannelInput, early: Early): Promise<ChannelList | null> {
  const { snap, query, depth } = inp;
  const found = await early.temporal!;
  if (found === null) return null;
  const q = new Set(query.terms);
  const [mem, eps] = found;
  await snap.load(mem.map((h) => h.id), eps.map((h) => h.id));
  const scored: Array<[ItemKey, number]> = [];
  for (const h of mem) {
    const k = "m:" + h.id;
    const m = snap.memories.get(h.id);
    if (m && inp.eligible(k)) scored.push([k, overlapOf(q, termSet(snap, k, m.text))]);
  }
  for (const h of eps) {
    const k = "e:" + h.id;
    const e = snap.episodes.get(h.id);
    if (e && inp.eligible(k)) scored.push([k, overlapOf(q, termSet(snap, k, e.text))]);
  }
  const ranked = scored.filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1] || byOrder(snap, a[0], b[0])).slice(0, depth);
  return { channel: "temporal", weight: inp.weights.temporal, ids: ranked.map(([k]) => k), ranks: tiedRanks(ranked.map(([, s]) => s)) };
}

/**
 * Segment channel (coarse to fine): BM25 over segment summaries picks the topical chunks
 * the query is about; their memories and episodes that share a query term are ranked by
 * the segment's rank.
 */
async function segmentReads(inp: ChannelInput): Promise<{ hits: TextHit[]; segs: Segment[]; linked: LinkedMemories[] }> {
  const { ctx, key, query } = inp;
  const hits = await ctx.store.searchText(key, "segment", query.words, 6);
  const ids = hits.map((h) => h.id);
  const [segs, linked] = await Promise.all([ctx.store.getSegments(key, ids), ctx.store.linkedMemories(key, "segment", ids, GRAPH_FANOUT)]);
  return { hits, segs, linked };
}

async function segments(inp: ChannelInput, early: Early): Promise<ChannelList> {
  const { snap, query } = inp;
  const read = await early.segment!;
  const hits = read.hits;
  const q = new Set(query.terms);
  const ids: string[] = [];
  const ranks: number[] = [];
  const segs = new Map(read.segs.map((s) => [s.id, s]));
  const linked = read.linked;
  await snap.load(linked.flatMap((l) => l.memoryIds), [...segs.values()].flatMap((s) => s.episodeIds));
  hits.forEach((h, r) => {
    const seg = segs.get(h.id);
    if (!seg) return;
    for (const eid of seg.episodeIds) {
      const e = snap.episodes.get(eid);
      if (e && inp.eligible("e:" + eid) && overlapOf(q, termSet(snap, "e:" + eid, e.text)) > 0) (ids.push("e:" + eid), ranks.push(r + 1));
    }
  });
  const segRank = new Map(hits.map((h, r) => [h.id, r + 1]));
  const seen = new Set<string>();
  for (const l of linked) {
    for (const mid of l.memoryIds) {
      if (seen.has(mid)) continue;
      seen.add(mid);
      const m = snap.memories.get(mid);
      if (!m) continue;
      let best = Infinity;
      for (const s of m.segmentIds) best = Math.min(best, segRank.get(s) ?? Infinity);
      if (best < Infinity && inp.eligible("m:" + m.id) && overlapOf(q, termSet(snap, "m:" + m.id, m.text)) > 0) (ids.push("m:" + m.id), ranks.push(best));
    }
  }
  const order = ids.map((id, i) => [id, ranks[i]!] as const).sort((a, b) => a[1] - b[1] || byOrder(snap, a[0], b[0]));
  return { channel: "segment", weight: inp.weights.segment, ids: order.map(([id]) => id), ranks: order.map(([, r]) => r) };
}

/**
 * Runs every enabled channel and returns their ranked lists for fusion.
 *
 * @example
 * ```ts
 * const lists = await runChannels({ ctx, key, snap, query, queryVector, eligible, depth: 60, weights, enabled });
 * ```
 */
export async function runChannels(inp: ChannelInput): Promise<ChannelList[]> {
  const on = (c: string) => inp.enabled.has(c);
  const { ctx, key, queryVector, depth } = inp;
  // The channels' searches start at once (on PostgreSQL each is a round trip and server
  // work that overlaps the others); every channel then reads rows into the snapshot and
  // ranks in the same order as before, so the lists are the same.
  const early: Early = {
    denseMemory: on("dense") ? startedRead(ctx.store.searchVectors(key, "memory", queryVector, denseFirstK(depth))) : undefined,
    denseEpisode: on("dense") ? startedRead(ctx.store.searchVectors(key, "episode", queryVector, denseFirstK(depth))) : undefined,
    answerType: on("graph") ? startedRead(answerTypeHits(inp)) : undefined,
    temporal: on("temporal") ? startedRead(temporalHits(inp)) : undefined,
    segment: on("segment") ? startedRead(segmentReads(inp)) : undefined,
  };
  const lists: ChannelList[] = [];
  const lex = on("lexical") || on("graph") ? await lexical(inp) : [];
  if (on("lexical")) lists.push(...lex);
  if (on("dense")) lists.push(...(await dense(inp, early)));
  if (on("graph")) {
    lists.push(await graph(inp, lex[0]?.ids ?? []));
    const typed = await answerType(inp, early);
    if (typed) lists.push(typed);
  }
  if (on("temporal")) {
    const t = await temporal(inp, early);
    if (t) lists.push(t);
  }
  if (on("segment")) lists.push(await segments(inp, early));
  return lists;
}

/** The store reads of the channels, started before the channels run in turn. */
interface Early {
  denseMemory: Promise<VectorHit[]> | undefined;
  denseEpisode: Promise<VectorHit[]> | undefined;
  answerType: Promise<TextHit[] | null> | undefined;
  temporal: Promise<[TextHit[], TextHit[]] | null> | undefined;
  segment: Promise<{ hits: TextHit[]; segs: Segment[]; linked: LinkedMemories[] }> | undefined;
}

/**
 * Every channel name.
 *
 * @example
 * ```ts
 * const enabled = new Set<string>(CHANNELS.filter((c) => c !== "graph")); // an ablation
 * ```
 */
export const CHANNELS = ["lexical", "dense", "graph", "temporal", "segment"] as const;
