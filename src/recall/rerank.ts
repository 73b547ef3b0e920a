import type { Candidate } from "./pack.js";
import { termSet, type Snapshot } from "./snapshot.js";
import { RERANK_WEIGHTS } from "./rerank-weights.js";
import { isPhotoCaption } from "../ingest/extract/offline.js";

/**
 * What the reranker knows about the question (computed once per recall).
 *
 * @example
 * ```ts
 * const q: RerankQuery = { focus: new Set(["paint", "sunris"]), terms: new Set(["paint", "sunris"]), people: new Set(["Melanie"]), asksWhen: true };
 * ```
 */
export interface RerankQuery {
  /** The question's content terms, names aside. */
  focus: ReadonlySet<string>;
  /** All its content terms. */
  terms: ReadonlySet<string>;
  /** People it names. */
  people: ReadonlySet<string>;
  /** A "when" question. */
  asksWhen: boolean;
}

/**
 * Names of the reranker's features, in order (the order of RERANK_WEIGHTS).
 *
 * @example
 * ```ts
 * RERANK_FEATURES.indexOf("neighbourOnly"); // 11
 * ```
 */
export const RERANK_FEATURES = [
  "bias",
  "logRelScore",
  "logRank",
  "lexical",
  "dense",
  "graph",
  "temporal",
  "segment",
  "neighbour",
  "history",
  "channels",
  "neighbourOnly",
  "episode",
  "fact",
  "event",
  "preference",
  "profile",
  "summary",
  "caption",
  "focusShare",
  "termsMatched",
  "aboutNamed",
  "logTokens",
  "question",
  "contentTerms",
  "whenDated",
  "assistant",
  "state",
  "superseded",
] as const;

const CHANNEL_FEATURES = ["lexical", "dense", "graph", "temporal", "segment", "neighbour", "history"] as const;
const DATED = /\b(19|20)\d\d\b|\b(yesterday|last|ago|next|tomorrow|weekend|week|month|year)\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b/i;

/** The shown text of a candidate: a memory's source turn, else its own text. */
function shownText(snap: Snapshot, c: Candidate): { key: string; text: string; role: string | null } {
  if (c.type === "episode") return { key: c.key, text: c.episode.text + (c.episode.attachmentText ? ` ${c.episode.attachmentText}` : ""), role: c.episode.role };
  const src = c.memory.kind === "summary" ? undefined : snap.episodes.get(c.memory.sources[0] ?? "");
  return src ? { key: "e:" + src.id, text: src.text, role: src.role } : { key: c.key, text: c.memory.text, role: null };
}

/**
 * The feature vector of one candidate at position `rank` (0-based) of the ranked list
 * whose best score is `top` (see {@link RERANK_FEATURES}).
 *
 * @example
 * ```ts
 * const x = rerankFeatures(snap, candidates[3]!, 3, candidates[0]!.score, q);
 * ```
 */
export function rerankFeatures(snap: Snapshot, c: Candidate, rank: number, top: number, q: RerankQuery): number[] {
  const shown = shownText(snap, c);
  const t = termSet(snap, shown.key, shown.text);
  let focusHit = 0;
  for (const w of q.focus) if (t.has(w)) focusHit++;
  let termHit = 0;
  for (const w of q.terms) if (t.has(w)) termHit++;
  const ch = c.channels;
  const kinds = c.type === "memory" ? c.memory.kind : "episode";
  const caption = c.type === "memory" && isPhotoCaption(c.memory.text);
  const names = Object.keys(ch);
  const words = shown.text.split(/\s+/).length;
  const subject = c.type === "memory" ? c.memory.subject : c.episode.speaker;
  return [
    1,
    Math.log(Math.max(c.score, 1e-9) / Math.max(top, 1e-9)),
    Math.log(1 + rank),
    ...CHANNEL_FEATURES.map((k) => (ch[k] ?? 0) * 30),
    names.length / 3,
    names.length === 1 && names[0] === "neighbour" ? 1 : 0,
    c.type === "episode" ? 1 : 0,
    kinds === "fact" ? 1 : 0,
    kinds === "event" ? 1 : 0,
    kinds === "preference" ? 1 : 0,
    kinds === "profile" ? 1 : 0,
    kinds === "summary" ? 1 : 0,
    caption ? 1 : 0,
    q.focus.size ? focusHit / q.focus.size : 0,
    termHit / 3,
    subject !== null && q.people.has(subject) ? 1 : 0,
    Math.log(1 + words) / 3,
    /\?\s*$/.test(shown.text) ? 1 : 0,
    Math.min(t.size, 20) / 10,
    q.asksWhen && DATED.test(shown.text) ? 1 : 0,
    shown.role === "assistant" ? 1 : 0,
    c.type === "memory" && c.memory.slot !== null && c.memory.invalidatedAt === null ? 1 : 0,
    c.type === "memory" && c.memory.invalidatedAt !== null ? 1 : 0,
  ];
}

/** A training probe: receives each recall's leading candidates and their features. */
type RerankProbe = (rows: Array<{ candidate: Candidate; features: number[] }>, snap: Snapshot) => void;
let rerankProbe: RerankProbe | null = null;
let rerankOverride: number[] | null = null;

/**
 * Installs a probe called with each recall's leading candidates and their features (null
 * removes it). For training the reranker (scripts/train-rerank.ts), not for production use.
 *
 * @example
 * ```ts
 * setRerankProbe((rows) => dump.push(...rows));
 * ```
 */
export function setRerankProbe(p: RerankProbe | null): void {
  rerankProbe = p;
}

/**
 * Weights to use instead of the shipped RERANK_WEIGHTS (training and tests): `[]` turns
 * reranking off, `null` restores the shipped weights.
 *
 * @example
 * ```ts
 * setRerankWeights([]); // the fused order, for comparison
 * ```
 */
export function setRerankWeights(w: number[] | null): void {
  rerankOverride = w;
}

/**
 * How many leading candidates are reranked (the packing window).
 *
 * @example
 * ```ts
 * const head = candidates.slice(0, RERANK_WINDOW); // 150
 * ```
 */
export const RERANK_WINDOW = 150;

/**
 * Reorders the leading candidates by the learned model's probability that the line answers
 * the question: a candidate's score becomes that probability times its `decay` factor
 * (the forgetting curve; recall passes a memory's, and a turn's as a memory of strength 1;
 * 1 by default), plus the best score left unreranked so the reranked stay ahead. A recall
 * whose leading candidates include an assistant's turn keeps the fused order.
 * Mutates `candidates`.
 *
 * @example
 * ```ts
 * rerank(candidates, snap, q);
 * ```
 */
export function rerank(candidates: Candidate[], snap: Snapshot, q: RerankQuery, decay: (c: Candidate) => number = () => 1): void {
  const w = rerankOverride ?? RERANK_WEIGHTS;
  if (candidates.length === 0 || (w.length === 0 && !rerankProbe)) return;
  const head = candidates.slice(0, RERANK_WINDOW);
  // Trained on conversations between people: on user–assistant chats (BEAM) it did not
  // help in cross-validation, so a scope whose candidates include assistant turns keeps the
  // fused order (checked first: no features are computed for nothing).
  const chat = head.some((c) => shownText(snap, c).role === "assistant");
  if (chat && !rerankProbe) return;
  const top = head[0]!.score;
  const rows = head.map((c, i) => ({ candidate: c, features: rerankFeatures(snap, c, i, top, q) }));
  rerankProbe?.(rows, snap);
  if (chat || w.length !== RERANK_FEATURES.length) return;
  const floor = candidates[RERANK_WINDOW]?.score ?? 0;
  for (const r of rows) {
    let z = 0;
    for (let j = 0; j < w.length; j++) z += w[j]! * r.features[j]!;
    // Decay still reorders what the model finds alike (a reinforced memory keeps more of its score).
    r.candidate.score = floor + decay(r.candidate) / (1 + Math.exp(-z));
  }
  head.sort((a, b) => b.score - a.score);
  candidates.splice(0, head.length, ...head);
}
