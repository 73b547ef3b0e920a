import { z } from "zod";
import { ensureEmbedder, type Context } from "../core/context.js";
import { EPISODE_FORGOTTEN_KEY } from "../lifecycle/forget.js";
import { MnemoError } from "../core/errors.js";
import { parseDate } from "../core/time.js";
import { MEMORY_KINDS, type Episode, type Memory, type MemoryKind, type RecallResponse, type ScopeInput } from "../core/types.js";
import { aimedAt, RecallPolicy, SENSITIVE_POLICIES, type SensitivePolicy } from "./policy.js";
import { terms } from "../core/text.js";
import { mergeCategories } from "../guard/sensitivity.js";
import { resolveScope } from "../core/validate.js";
import { candidatesAsOf } from "./as-of.js";
import { CHANNELS, runChannels, type ItemKey } from "./channels.js";
import { decayFactor, retention, rrf } from "./fuse.js";
import { pack, PACK_WINDOW, type Candidate } from "./pack.js";
import { pinnedCandidates, pinnedCap } from "./pinned.js";
import { analyzeQuery } from "./query.js";
import { rerank, RERANK_WINDOW } from "./rerank.js";
import { byOrder, openSnapshot, termSet, type Snapshot } from "./snapshot.js";

/**
 * Options of {@link recall}. The scope fields (`userId`, `tenant`, `agentId`) say whose
 * memory is searched.
 *
 * @example
 * ```ts
 * const o: RecallOptions = { userId: "u1", budgetTokens: 500, asOf: "2023-06-01", kinds: ["fact", "event"] };
 * ```
 */
export interface RecallOptions extends ScopeInput {
  /** Token budget of the assembled context (default 1000). */
  budgetTokens?: number | undefined;
  /** Answer as of this time: only what was known then, including facts invalidated later. */
  asOf?: string | Date | undefined;
  /** Only these memory kinds (episodes are then left out). */
  kinds?: MemoryKind[] | undefined;
  /** Extra filters. */
  filters?: { sessionId?: string | undefined; speaker?: string | undefined; from?: string | undefined; to?: string | undefined } | undefined;
  /** Include verbatim episode snippets (default true). */
  includeEpisodes?: boolean | undefined;
  /** Strengthen the returned memories (default true). */
  reinforce?: boolean | undefined;
  /**
   * End each context line with its source id, e.g. "(D1:3)" (default false: the
   * structured `results` always carry every source; a cited line costs about 5 tokens more).
   */
  citeSources?: boolean | undefined;
  /** Channels to use (default all); for ablations. */
  channels?: string[] | undefined;
  /**
   * The pinned block (default true): the user's standing instructions and preferences
   * ("Always include version numbers…", "I prefer minimal dependencies…", said in `user`-role
   * turns) head every context under "[standing instructions and preferences]", within a cap
   * of 12% of the budget (at most 150 tokens) or `{ maxTokens }`; false turns it off.
   */
  pinned?: boolean | { maxTokens?: number | undefined } | undefined;
  /**
   * Sensitive memories (health, sexuality, religion, politics, ethnicity, union, genetic,
   * finances, criminal, credentials): `relevant` (default) lets them through only when the
   * question is about their category, `exclude` never, `include` always. What was left out
   * is reported in `withheld` (counts and categories only). See docs/SECURITY.md.
   */
  sensitive?: SensitivePolicy | undefined;
  /** Also recall quarantined episodes (suspected injections), marked as such (default false). */
  includeQuarantined?: boolean | undefined;
}

const optionsSchema = z.object({
  budgetTokens: z.number().int().min(1).max(1_000_000).optional(),
  kinds: z.array(z.enum(MEMORY_KINDS)).optional(),
  includeEpisodes: z.boolean().optional(),
  reinforce: z.boolean().optional(),
  citeSources: z.boolean().optional(),
  channels: z.array(z.enum(CHANNELS)).optional(),
  pinned: z.union([z.boolean(), z.strictObject({ maxTokens: z.number().int().min(0).max(1_000_000).optional() })]).optional(),
  sensitive: z.enum(SENSITIVE_POLICIES).optional(),
  includeQuarantined: z.boolean().optional(),
  filters: z
    .strictObject({ sessionId: z.string().optional(), speaker: z.string().optional(), from: z.string().optional(), to: z.string().optional() })
    .optional(),
});

const DAY_MS = 86_400_000;
const CAUSAL = /(?:\b(?:because|cuz|since|so that|reasons?|due to|thanks to|inspired|motivat\w+|helps?|made me)|'cause)\b/i;
const ASKS_WHY = /^\s*(why|what (made|makes|motivated|inspired|led)|how come)\b/i;

/**
 * Answer typing for "why" questions: memories and turns that give a reason ("because",
 * "'cause", "inspired", "helps") score this much more.
 *
 * @example
 * ```ts
 * if (ASKS_WHY.test(query) && CAUSAL.test(m.text)) score *= REASON_BOOST; // 1.2
 * ```
 */
export const REASON_BOOST = 1.2;

/**
 * Questions about the present ("Where does Maya work now?", "What is my current job?"):
 * current state-of-affairs memories (those with a single-valued slot) rank first.
 *
 * @example
 * ```ts
 * ASKS_NOW.test("Where do I live now?"); // true
 * ```
 */
export const ASKS_NOW = /\b(now|currently|current|these days|at the moment|at present|still|anymore|nowadays)\b|^\s*(?:where|who)\s+(?:does|do|is|are|am)\b/i;
/**
 * Questions about the past state ("Where did I live before?", "What was my previous job?"):
 * superseded facts may come back, each with its validity ("until 1 June 2024").
 *
 * @example
 * ```ts
 * ASKS_BEFORE.test("What was my previous job?"); // true
 * ```
 */
export const ASKS_BEFORE = /\b(before|previous(?:ly)?|used to|former(?:ly)?|originally|earlier|no longer|anymore|old (?:job|home|address|city|apartment|house))\b/i;
/**
 * Score factor of a current slot memory (a single-valued state such as where someone lives
 * or works) for {@link ASKS_NOW} questions.
 *
 * @example
 * ```ts
 * if (ASKS_NOW.test(q) && m.slot !== null) score *= STATE_BOOST; // 1.5
 * ```
 */
export const STATE_BOOST = 1.5;

/** True when a memory had been invalidated by `asOf` (or at all, without `asOf`). */
function isSuperseded(m: { invalidatedAt: string | null; validTo: string | null } | undefined, asOf: string | null): boolean {
  if (!m || !m.invalidatedAt) return false;
  return asOf === null || (m.validTo !== null && m.validTo <= asOf);
}

/**
 * Score factor for memories about (and turns by) a person the query names.
 *
 * @example
 * ```ts
 * if (m.subject !== null && people.has(m.subject)) score *= SUBJECT_BOOST; // 1.2
 * ```
 */
export const SUBJECT_BOOST = 1.2;

/**
 * Prior of a verbatim episode: short turns and bare questions ("Wow! Did you see that
 * band?") carry little to answer with, so they need a stronger match to be packed.
 *
 * @example
 * ```ts
 * informativeness(6, "I adopted a dog."); // 1
 * informativeness(3, "Did you see that band?"); // ≈ 0.56
 * ```
 */
export function informativeness(contentTerms: number, text: string): number {
  const base = Math.min(1, 0.5 + 0.1 * contentTerms);
  return /\?\s*$/.test(text) ? base * 0.7 : base;
}

/**
 * Score factor for the question's terms a candidate's shown text holds: the fused rank says
 * a channel found it, this says how much of what was asked it contains. score ×
 * (1 + COVERAGE_BOOST · share of the question's content terms, names aside, in the text; a
 * memory's text is its source turn's).
 *
 * @example
 * ```ts
 * c.score *= 1 + COVERAGE_BOOST * termShare(snap, c, new Set(focus)); // 0.5
 * ```
 */
export const COVERAGE_BOOST = 0.5;

/**
 * The coverage factor needs this many content terms in the question: with one ("What does
 * Lena do for work?") the share is all or nothing, a bare keyword match that puts every
 * "good day at work" turn above the answer (assistant-chat fixture, stop 16).
 *
 * @example
 * ```ts
 * if (focus.length >= COVERAGE_MIN_TERMS) applyCoverage(); // 2
 * ```
 */
export const COVERAGE_MIN_TERMS = 2;

/** The share of `want` in a candidate's shown text (its source turn for a memory). */
function termShare(snap: Snapshot, c: Candidate, want: ReadonlySet<string>): number {
  const src = c.type === "memory" ? snap.episodes.get(c.memory.sources[0] ?? "") : c.episode;
  const have = src ? termSet(snap, "e:" + src.id, src.text) : termSet(snap, c.key, c.type === "memory" ? c.memory.text : "");
  let n = 0;
  for (const t of want) if (have.has(t)) n++;
  return n / want.size;
}

/**
 * How many top hits are expanded to their neighbouring turns, and how much they pass on.
 *
 * @example
 * ```ts
 * const tops = candidates.slice(0, NEIGHBOURS.expand); // 20; a turn one away gets 0.7 of the score
 * ```
 */
export const NEIGHBOURS = { expand: 20, share: 0.7 } as const;

/**
 * Neighbour expansion (hierarchy, fine level): the turns right before and after a top hit,
 * in the same session, often hold its question or its answer. They join the candidates
 * (as their memories, or verbatim when they have none) with a share of the hit's score.
 * The neighbours come from the store (an index seek per source turn). Mutates and
 * re-sorts `candidates`.
 *
 * @example
 * ```ts
 * await expandNeighbours(candidates, snap, (key) => key.startsWith("m:") || includeEpisodes);
 * ```
 */
export async function expandNeighbours(candidates: Candidate[], snap: Snapshot, eligible: (k: string) => boolean): Promise<void> {
  const tops = candidates.slice(0, NEIGHBOURS.expand);
  const srcOf = (top: Candidate) => (top.type === "memory" ? top.memory.sources : [top.episode.id]).slice(0, 2);
  await snap.loadEpisodes(tops.flatMap(srcOf));
  const around = new Map((await snap.ctx.store.episodeNeighbours(snap.key, tops.flatMap(srcOf), 2)).map((n) => [n.episodeId, n]));
  for (const n of around.values()) for (const e of [...n.before, ...n.after]) if (!snap.episodes.has(e.id)) snap.episodes.set(e.id, e);
  await snap.load([], [...around.values()].flatMap((n) => [...n.before, ...n.after].map((e) => e.id)));
  const byKey = new Map(candidates.map((c) => [c.key, c]));
  const added: Candidate[] = [];
  const offer = (c: Candidate) => {
    const have = byKey.get(c.key);
    if (have && have.score >= c.score) return;
    if (have) have.score = c.score;
    else (byKey.set(c.key, c), added.push(c));
  };
  for (const top of tops) {
    for (const src of srcOf(top)) {
      const n = around.get(src);
      const here = snap.episodes.get(src);
      if (!n || !here) continue;
      const ring: Array<[Episode | undefined, number]> = [[n.before[1], 2], [n.before[0], 1], [n.after[0], 1], [n.after[1], 2]];
      for (const [e, d] of ring) {
        if (!e || e.sessionId !== here.sessionId) continue;
        const score = top.score * Math.pow(NEIGHBOURS.share, d);
        const channels = { neighbour: score };
        const mems = (snap.episodeMemories.get(e.id) ?? []).filter((id) => eligible("m:" + id));
        for (const id of mems) offer({ key: "m:" + id, type: "memory", memory: snap.memories.get(id)!, score, channels });
        if (mems.length === 0 && eligible("e:" + e.id)) offer({ key: "e:" + e.id, type: "episode", episode: e, score: score * 0.9, channels });
      }
    }
  }
  candidates.push(...added);
  candidates.sort((a, b) => b.score - a.score || byOrder(snap, a.key, b.key));
}

/**
 * For questions about the past: the superseded values of the single-valued slots among
 * the candidates ("Caroline lives in Boston." before "Caroline moved to Denver.") join them
 * just below the current value (superseded memories are not indexed for search). Mutates
 * `candidates`.
 *
 * @example
 * ```ts
 * if (ASKS_BEFORE.test(q)) await addPredecessors(candidates, snap, eligible);
 * ```
 */
export async function addPredecessors(candidates: Candidate[], snap: Snapshot, eligible: (k: string) => boolean): Promise<void> {
  const bySlot = new Map<string, number>();
  for (const c of candidates) if (c.type === "memory" && c.memory.slot !== null) bySlot.set(c.memory.slot, Math.max(bySlot.get(c.memory.slot) ?? 0, c.score));
  if (bySlot.size === 0) return;
  const have = new Set(candidates.map((c) => c.key));
  const page = await snap.ctx.store.listMemories({ tenant: snap.key.tenant, userId: snap.key.userId, kinds: ["fact", "profile"], includeInvalidated: true, limit: 1000 });
  for (const m of page.items) {
    const top = m.slot !== null && m.invalidatedAt !== null ? bySlot.get(m.slot) : undefined;
    if (top === undefined || have.has("m:" + m.id)) continue;
    snap.memories.set(m.id, m);
    if (!eligible("m:" + m.id)) continue;
    candidates.push({ key: "m:" + m.id, type: "memory", memory: m, score: top * 0.95, channels: { history: top * 0.95 } });
  }
}

/**
 * Recall: runs the channels (lexical BM25, dense vectors, entity graph, temporal,
 * segment), fuses them by weighted reciprocal rank, applies decay, and packs the best
 * memories and verbatim snippets under the token budget, each with its date and sources.
 *
 * @example
 * ```ts
 * const r = await recall(ctx, "When did Caroline go to the support group?", { userId: "conv-26", budgetTokens: 500 });
 * console.log(r.context);
 * ```
 */
export async function recall(ctx: Context, queryText: string, options: RecallOptions): Promise<RecallResponse> {
  if (typeof queryText !== "string" || queryText.trim() === "") throw new MnemoError("INVALID_INPUT", "The query must be a non-empty string.");
  if (queryText.length > 10_000) throw new MnemoError("PAYLOAD_TOO_LARGE", "The query is longer than 10,000 characters.");
  if (/\p{Cs}/u.test(queryText)) throw new MnemoError("INVALID_INPUT", "The query holds a lone UTF-16 surrogate.", { hint: "Send well-formed Unicode text." });
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MnemoError("INVALID_INPUT", `${issue?.path.join(".")}: ${issue?.message}`);
  }
  const scope = resolveScope(options, ctx.options.tenant);
  const key = { tenant: scope.tenant, userId: scope.userId };
  const budget = options.budgetTokens ?? 1000;
  const asOf = options.asOf !== undefined ? parseDate(options.asOf, "asOf") : null;
  const from = options.filters?.from !== undefined ? parseDate(options.filters.from, "filters.from") : null;
  const to = options.filters?.to !== undefined ? parseDate(options.filters.to, "filters.to") : null;
  const now = ctx.options.now();
  const reference = asOf ? new Date(asOf) : now;
  const tuning = ctx.options.recall;

  await ensureEmbedder(ctx);
  const snap = await openSnapshot(ctx, key);
  // Filters that look at a memory's source turns need them read with the memory.
  snap.withSources = options.filters?.sessionId !== undefined || asOf !== null;
  const kinds = options.kinds ? new Set<string>(options.kinds) : null;
  const includeEpisodes = options.includeEpisodes !== false && kinds === null;
  const f = options.filters ?? {};
  const nowIso = now.toISOString();
  const policy = new RecallPolicy(queryText, options);
  let queryTerms: readonly string[] = [];
  let focus: readonly string[] = [];
  /** The guard's verdict; an item left out is reported as withheld when it shares a term with the query. */
  const admitted = (k: ItemKey, item: Memory | Episode): boolean => {
    // A verbatim turn is as sensitive as any memory distilled from it (an LLM extractor may tag what the lexicon misses).
    let sensitivity = item.sensitivity;
    if (k.charCodeAt(0) === 101 /* "e" */) {
      for (const id of snap.episodeMemories.get(item.id) ?? []) {
        const s = snap.memories.get(id)?.sensitivity;
        if (s?.length) sensitivity = mergeCategories(sensitivity, s);
      }
    }
    if (!("quarantine" in item && item.quarantine) && !sensitivity?.length) return true;
    const t = termSet(snap, k, item.text);
    const v = policy.verdict({ ...item, sensitivity }, aimedAt(focus, t));
    if (v === "ok") return true;
    if (queryTerms.some((q) => t.has(q))) policy.withhold(k, v, sensitivity ?? []);
    return false;
  };

  const asksBefore = ASKS_BEFORE.test(queryText);
  const eligible = (k: ItemKey): boolean => {
    if (k.startsWith("m:")) {
      const m = snap.memories.get(k.slice(2));
      if (!m || m.forgottenAt) return false;
      if (scope.agentId !== undefined && m.agentId !== scope.agentId) return false;
      if (kinds && !kinds.has(m.kind)) return false;
      if (m.expiresAt && m.expiresAt <= (asOf ?? nowIso)) return false;
      if (asOf) {
        if (m.observedAt > asOf) return false;
        if (m.invalidatedAt && m.validTo !== null && m.validTo <= asOf) return false;
      } else if (m.invalidatedAt && !(asksBefore && m.validTo !== null)) return false;
      if (f.speaker !== undefined && m.subject !== f.speaker) return false;
      const t = m.validFrom ?? m.observedAt;
      if (from && t < from) return false;
      if (to && t >= to) return false;
      if (f.sessionId !== undefined) {
        const inSession = m.sources.some((s) => snap.episodes.get(s)?.sessionId === f.sessionId);
        if (!inSession) return false;
      }
      return admitted(k, m);
    }
    if (!includeEpisodes) return false;
    const e = snap.episodes.get(k.slice(2));
    if (!e) return false;
    // A message whose content was forgotten is never recalled verbatim.
    if (e.metadata[EPISODE_FORGOTTEN_KEY]) return false;
    // The verbatim turn of a fact that was contradicted since is as stale as the fact.
    const derived = snap.episodeMemories.get(e.id);
    if (derived && derived.length > 0 && derived.every((id) => isSuperseded(snap.memories.get(id), asOf))) return false;
    if (scope.agentId !== undefined && e.agentId !== scope.agentId) return false;
    if (asOf && e.occurredAt > asOf) return false;
    if (f.sessionId !== undefined && e.sessionId !== f.sessionId) return false;
    if (f.speaker !== undefined && e.speaker !== f.speaker) return false;
    if (from && e.occurredAt < from) return false;
    if (to && e.occurredAt >= to) return false;
    return admitted(k, e);
  };

  const query = analyzeQuery(queryText, snap.entities.values(), reference);
  queryTerms = query.terms;
  // The question's own content terms, without the names of people and things it mentions.
  const nameTerms = new Set(query.entities.flatMap((e) => terms(e.name)));
  focus = query.terms.filter((t) => !nameTerms.has(t));
  const [queryVector] = await ctx.embedder.embed([queryText]);
  const enabled = new Set<string>(options.channels ?? CHANNELS);
  const lists = await runChannels({ ctx, key, snap, query, queryVector: queryVector!, eligible, depth: tuning.channelDepth, weights: tuning.weights, enabled });
  const fused = rrf(lists, tuning.rrfK);

  const people = new Set(query.people);
  const asksWhy = ASKS_WHY.test(queryText);
  const asksNow = ASKS_NOW.test(queryText);
  const candidates: Candidate[] = [];
  /** Decay factors: a memory's is applied to the fused score, and every one to the reranker's probability. */
  const decays = new Map<string, number>();
  for (const [k, fz] of fused) {
    let score = fz.score;
    if (k.startsWith("m:")) {
      const m = snap.memories.get(k.slice(2))!;
      const age = (reference.getTime() - Date.parse(m.lastAccessedAt)) / DAY_MS;
      const decay = decayFactor(retention(age, m.strength, tuning.halfLifeDays), tuning.decayWeight);
      decays.set(k, decay);
      score *= decay;
      if (m.subject !== null && people.has(m.subject)) score *= SUBJECT_BOOST;
      if (asksWhy && CAUSAL.test(m.text)) score *= REASON_BOOST;
      if (asksNow && (m.slot !== null || m.kind === "profile" || m.kind === "summary") && !m.invalidatedAt) score *= STATE_BOOST;
      candidates.push({ key: k, type: "memory", memory: m, score, channels: fz.channels });
    } else {
      const e = snap.episodes.get(k.slice(2))!;
      // A turn fades like a memory of strength 1 (it cannot be reinforced); only the reranked score uses it.
      decays.set(k, decayFactor(retention((reference.getTime() - Date.parse(e.occurredAt)) / DAY_MS, 1, tuning.halfLifeDays), tuning.decayWeight));
      score *= informativeness(termSet(snap, k, e.text).size, e.text);
      if (people.has(e.speaker)) score *= SUBJECT_BOOST;
      if (asksWhy && CAUSAL.test(e.text)) score *= REASON_BOOST;
      candidates.push({ key: k, type: "episode", episode: e, score, channels: fz.channels });
    }
  }
  // The share of the question's own terms (names aside) the shown text holds: the turn of a memory, else its text.
  if (focus.length >= COVERAGE_MIN_TERMS) {
    await snap.loadEpisodes(candidates.flatMap((c) => (c.type === "memory" ? c.memory.sources.slice(0, 1) : [])));
    const want = new Set(focus);
    for (const c of candidates) c.score *= 1 + COVERAGE_BOOST * termShare(snap, c, want);
  }
  if (asksBefore) await addPredecessors(candidates, snap, eligible);
  candidates.sort((a, b) => b.score - a.score || byOrder(snap, a.key, b.key));
  await expandNeighbours(candidates, snap, eligible);
  const shown = asOf ? await candidatesAsOf(ctx, snap, candidates, asOf) : candidates;
  await snap.loadEpisodes(shown.slice(0, RERANK_WINDOW).flatMap((c) => (c.type === "memory" ? c.memory.sources.slice(0, 1) : [])));
  rerank(shown, snap, { focus: new Set(focus), terms: new Set(query.terms), people, asksWhen: /^\s*when\b/i.test(queryText) }, (c) => decays.get(c.key) ?? 1);
  // The source turns of what may be packed (their labels; a memory's turn may be shown, with
  // what else it said that was superseded since).
  await snap.load([], shown.slice(0, PACK_WINDOW).flatMap((c) => (c.type === "memory" && c.memory.kind !== "summary" ? c.memory.sources.slice(0, 1) : [])));
  await snap.loadEpisodes(shown.flatMap((c) => (c.type === "memory" ? c.memory.sources : [])));
  const pinnedTokens = pinnedCap(options.pinned, budget);
  const pinned = pinnedTokens > 0 ? await pinnedCandidates(snap, eligible, new Map(shown.map((c) => [c.key, c.score]))) : [];
  const packed = pack(shown, snap, budget, tuning.episodeShare, options.citeSources === true, { queryTerms: includeEpisodes ? new Set(query.terms) : undefined, pinned, pinnedTokens, asOf, verbatim: includeEpisodes });

  if (options.reinforce !== false) {
    const ids = packed.results.filter((r) => r.type === "memory").map((r) => r.id);
    // Best effort: a read-only or full store still answers recall.
    await ctx.store.touchMemories(key, ids, nowIso, 0.1).catch(() => undefined);
  }
  return {
    context: packed.context,
    contextTokens: packed.contextTokens,
    results: packed.results,
    query: { text: queryText, entities: query.entities.map((e) => e.name), timeRange: query.timeRange },
    withheld: policy.withheld(),
  };
}
