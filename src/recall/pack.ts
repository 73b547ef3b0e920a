import { formatDay } from "../core/time.js";
import { compressText } from "../core/text.js";
import { countTokens } from "../core/tokens.js";
import type { Episode, Memory, RecallResult } from "../core/types.js";
import { byOrder, type Snapshot } from "./snapshot.js";
import { answerBearingLine, datesSuffix, excerpt, hasOwnContent, saysMoreThan, trimSmallTalk } from "./lines.js";
import { PINNED_HEADER, type Pinned } from "./pinned.js";
import { provenanceTag, resultProvenance } from "../guard/label.js";

/**
 * A fused, scored candidate.
 *
 * @example
 * ```ts
 * const c: Candidate = { key: "m:" + memory.id, type: "memory", memory, score: 0.42, channels: { lexical: 0.42 } };
 * ```
 */
export type Candidate =
  | { key: string; type: "memory"; memory: Memory; score: number; channels: Record<string, number> }
  | { key: string; type: "episode"; episode: Episode; score: number; channels: Record<string, number> };

/**
 * Options of {@link pack}.
 *
 * @example
 * ```ts
 * const o: PackOptions = { queryTerms: new Set(["goodie", "neighbor"]) };
 * ```
 */
export interface PackOptions {
  /** The query's stemmed content terms: memory lines then quote the answering sentence of their turn. */
  queryTerms?: ReadonlySet<string> | undefined;
  /** Standing instructions and preferences to put first, under {@link PINNED_HEADER} (src/recall/pinned.ts), best first. */
  pinned?: Pinned[] | undefined;
  /** False when the caller asked for no verbatim episodes (`includeEpisodes: false`, `kinds`): memory lines then never show their turn. */
  verbatim?: boolean | undefined;
  /** The recall's `asOf` (ISO), if any: validity is shown only for facts superseded by then. */
  asOf?: string | null | undefined;
  /** Token cap of the pinned block (0 or absent: no block). */
  pinnedTokens?: number | undefined;
}

/**
 * How many leading candidates are reordered by value per token.
 *
 * @example
 * ```ts
 * const window = candidates.slice(0, PACK_WINDOW); // the first 150
 * ```
 */
export const PACK_WINDOW = 150;
/**
 * β in score · tokens^−β (0 = pure score order).
 *
 * @example
 * ```ts
 * const value = score / Math.pow(lineTokens, TOKEN_COST); // β = 0.4
 * ```
 */
export const TOKEN_COST = 0.4;

/** How many source ids a context line cites when asked to (all of them are in the structured result). */
const CITED = 1;

function sourceLabel(snap: Snapshot, id: string): string {
  const e = snap.episodes.get(id);
  return e?.externalId ?? id;
}

/**
 * The context line of a memory: "- Caroline went ..."; its date is the group header. With
 * `queryTerms` and its `source` turn, the turn's sentence that answers the query is quoted
 * after it when the memory's text lacks it ({@link answerBearingLine}). A superseded fact
 * carries its validity: "- Ann lives in Boston. (until 1 June 2024)". With `cite`, the
 * line ends with its first source: "… (D1:3)" (about 5 tokens more).
 *
 * @example
 * ```ts
 * memoryLine(memory, ["D1:3"], true); // "- Caroline went to a LGBTQ support group on 7 May 2023. (D1:3)"
 * ```
 */
export function memoryLine(m: Memory, sources: string[], cite = false, source?: Episode, queryTerms?: ReadonlySet<string>, asOf?: string | null): string {
  // Superseded (as of `asOf`, when given): the fact comes with its validity.
  const superseded = m.invalidatedAt !== null && m.validTo !== null && (!asOf || m.validTo <= asOf);
  const body = superseded ? `- ${compressText(m.text)} (until ${formatDay(m.validTo!)})` : queryTerms ? answerBearingLine(m, source, queryTerms) : `- ${compressText(m.text)}`;
  const line = `- ${provenanceTag(m)}${body.slice(2)}`;
  return cite ? `${line} (${sources.slice(0, CITED).join(", ")})` : line;
}

/**
 * The context line of an episode: '- Caroline: "…"', with `cite` '- Caroline: "…" (D1:3)'.
 *
 * @example
 * ```ts
 * episodeLine(episode, true); // '- Caroline: "I went to a LGBTQ support group yesterday." (D1:3)'
 * ```
 */
export function episodeLine(e: Episode, cite = false, queryTerms?: ReadonlySet<string>): string {
  const att = e.attachmentText ? ` [photo: ${e.attachmentText}]` : "";
  const shown = compressText(excerpt(trimSmallTalk(e.text), queryTerms));
  const line = `- ${e.speaker}${provenanceTag(e)}: "${shown}"${att}${datesSuffix(shown, e.occurredAt)}`;
  return cite ? `${line} (${e.externalId ?? e.id})` : line;
}

/** The date an item is filed under in the context: when it was said. */
function dayOf(c: Candidate): string {
  return (c.type === "memory" ? c.memory.observedAt : c.episode.occurredAt).slice(0, 10);
}

/** Renders selected lines grouped under date headers, oldest first. */
function render(selected: Array<{ day: string; line: string }>): string {
  const byDay = new Map<string, string[]>();
  for (const s of selected) byDay.set(s.day, [...(byDay.get(s.day) ?? []), s.line]);
  return [...byDay.keys()]
    .sort()
    .map((d) => `[${formatDay(d + "T00:00:00Z")}]\n${byDay.get(d)!.join("\n")}`)
    .join("\n");
}

/** A turn's memory within this share of the turn's own score stands in for it. */
const NEAR_SCORE = 0.8;

/**
 * Greedy packing under the budget, best score first. Lines are grouped under one date
 * header per day (oldest first), so a date costs its tokens once. An episode already covered
 * by a shown line, or a memory whose turns are already shown verbatim, is skipped (no
 * redundant lines; two memories of one turn hold different sentences); verbatim episodes
 * may use at most `episodeShare` of the budget. Token counts use the real BPE tokenizer
 * and the final context is re-counted, so `contextTokens ≤ budget` always holds.
 *
 * @example
 * ```ts
 * const { context, results } = pack(candidates, snapshot, 1000, 0.35, false);
 * ```
 */
export function pack(
  candidates: Candidate[],
  snap: Snapshot,
  budget: number,
  episodeShare: number,
  cite: boolean,
  opts: PackOptions = {},
): { context: string; contextTokens: number; results: RecallResult[] } {
  const q = opts.queryTerms;
  /** " [until 1 June 2023: Caroline lives in Boston.]" for each fact of a turn superseded (by `asOf`), but `except`. */
  const validityNotes = (episodeId: string, except?: string): string =>
    (snap.episodeMemories.get(episodeId) ?? [])
      .map((id) => snap.memories.get(id))
      .filter((m): m is Memory => m !== undefined && m.id !== except && m.invalidatedAt !== null && m.validTo !== null && (!opts.asOf || m.validTo <= opts.asOf))
      .map((m) => ` [until ${formatDay(m.validTo!)}: ${compressText(m.text)}]`)
      .join("");
  const lineOf = (c: Candidate, ext: string[]): string | null => {
    if (c.type === "episode") {
      if (!hasOwnContent(c.episode.text + (c.episode.attachmentText ? ` ${c.episode.attachmentText}` : ""), [c.episode.speaker])) return null;
      return episodeLine(c.episode, cite, q) + validityNotes(c.episode.id);
    }
    const m = c.memory;
    if (!hasOwnContent(m.text, m.subject ? [m.subject] : [])) return null;
    // The turn speaks for an unedited, non-summary memory; what else it said that was
    // superseded since comes with its validity.
    const first = m.kind === "summary" || opts.verbatim === false ? undefined : snap.episodes.get(m.sources[0] ?? "");
    // (against that turn alone: an updated memory also cites the turn that changed it, and
    // the first turn must not speak for words it never said — "window" for "aisle seats")
    const src = first && saysMoreThan(m, [first.text]) ? undefined : first;
    const line = memoryLine(m, ext, cite, src, q, opts.asOf);
    return src && line.startsWith(`- ${src.speaker}: "`) ? line + validityNotes(src.id, m.id) : line;
  };
  const covered = new Set<string>();
  const shownTurns = new Set<string>();
  const seenLines = new Set<string>();
  /** The source turn a memory line shows whole (not only quoted from). */
  const shownTurnOf = (m: Memory, line: string): Episode | undefined => {
    const src = snap.episodes.get(m.sources[0] ?? "");
    return src && line.includes(`${src.speaker}: "`) && !line.includes(`(${src.speaker}: "`) ? src : undefined;
  };
  const selected: Array<{ day: string; line: string }> = [];
  const days = new Set<string>();
  const results: RecallResult[] = [];
  let used = 0;
  let episodeTokens = 0;
  let misses = 0;
  const toResult = (c: Candidate, ext: string[], tokens: number): RecallResult => {
    if (c.type === "memory") {
      const m = c.memory;
      return { id: m.id, type: "memory", kind: m.kind, text: m.text, score: c.score, sources: ext, occurredAt: m.validFrom ?? m.observedAt, speaker: m.subject, channels: c.channels, tokens, ...resultProvenance(m) };
    }
    const e = c.episode;
    return { id: e.id, type: "episode", kind: "episode", text: e.text, score: c.score, sources: ext, occurredAt: e.occurredAt, speaker: e.speaker, channels: c.channels, tokens, ...resultProvenance(e) };
  };
  // The pinned block: standing instructions and preferences first, within their cap.
  const pinnedLines: string[] = [];
  const pinnedResults: RecallResult[] = [];
  const cap = Math.min(budget, opts.pinnedTokens ?? 0);
  const pinnedTexts = new Set<string>();
  for (const { candidate: c, text } of cap > 0 ? (opts.pinned ?? []) : []) {
    const line = `- ${compressText(text)}`;
    if (pinnedTexts.has(line.toLowerCase())) continue;
    const sources = c.type === "memory" ? c.memory.sources : [c.episode.id];
    const tokens = countTokens(line) + 1 + (pinnedLines.length === 0 ? countTokens(PINNED_HEADER) + 1 : 0);
    if (used + tokens > cap) continue;
    used += tokens;
    pinnedLines.push(line);
    pinnedTexts.add(line.toLowerCase());
    for (const x of sources) covered.add(x);
    pinnedResults.push(toResult(c, sources.map((x) => sourceLabel(snap, x)), tokens));
  }
  const pinnedIds = new Set(pinnedResults.filter((r) => r.type === "memory").map((r) => r.id));
  // Value per token: among the leading candidates, a short line beats a long one of a
  // similar score (score · tokens^−β), so the budget holds more distinct evidence.
  const head = candidates.slice(0, PACK_WINDOW).map((c) => {
    const ext = (c.type === "memory" ? c.memory.sources : [c.episode.id]).map((s) => sourceLabel(snap, s));
    const line = lineOf(c, ext);
    return { c, ext, line, lineTokens: line === null ? 1 : countTokens(line) };
  });
  head.sort((a, b) => b.c.score / Math.pow(b.lineTokens, TOKEN_COST) - a.c.score / Math.pow(a.lineTokens, TOKEN_COST));
  // Memories keep the speaker's words (dates annotated): a turn whose memory is a leading candidate
  // of a close score is not repeated verbatim.
  const headMemories = new Map(head.flatMap((h) => (h.c.type === "memory" ? [[h.c.memory.id, h.c.score] as const] : [])));
  const ordered = [...head, ...candidates.slice(PACK_WINDOW).map((c) => ({ c, ext: null as string[] | null, line: undefined as string | null | undefined, lineTokens: 0 }))];
  for (const item of ordered) {
    const c = item.c;
    if (misses > 40 || used >= budget) break;
    const sources = c.type === "memory" ? c.memory.sources : [c.episode.id];
    if (c.type === "episode" && (snap.episodeMemories.get(c.episode.id) ?? []).some((id) => (headMemories.get(id) ?? 0) >= c.score * NEAR_SCORE)) continue;
    // A memory is redundant once its verbatim turns are shown (a profile summary once its sources are);
    // two memories of one turn keep different sentences.
    // A memory edited to say more than its turns ("…peanuts and cashews.") is never redundant.
    const edited = c.type === "memory" && saysMoreThan(c.memory, c.memory.sources.map((x) => snap.episodes.get(x)?.text ?? ""));
    if ((!edited && sources.every((s) => (c.type === "memory" && c.memory.kind !== "summary" ? shownTurns : covered).has(s))) || (c.type === "memory" && pinnedIds.has(c.memory.id))) continue;
    const ext = item.ext ?? sources.map((s) => sourceLabel(snap, s));
    const line = item.line === undefined ? lineOf(c, ext) : item.line;
    if (line === null) continue; // no content words of its own
    // Two memories of one turn may both be shown as that turn: the turn is shown once.
    const shows = c.type === "memory" ? shownTurnOf(c.memory, line) : c.episode;
    if ((shows && c.type === "memory" && shownTurns.has(shows.id)) || seenLines.has(line)) continue;
    const day = dayOf(c);
    const header = days.has(day) ? 0 : countTokens(`[${formatDay(day + "T00:00:00Z")}]`) + 1;
    const tokens = (item.line === line ? item.lineTokens : countTokens(line)) + 1 + header;
    // Only items too long for what is left count towards giving up; an episode over its
    // share is skipped without ending the search for memories that still fit.
    if (c.type === "episode" && episodeTokens + tokens > budget * episodeShare) continue;
    if (used + tokens > budget) {
      misses++;
      continue;
    }
    used += tokens;
    if (c.type === "episode") episodeTokens += tokens;
    days.add(day);
    selected.push({ day, line });
    for (const s of sources) covered.add(s);
    seenLines.add(line);
    if (shows) shownTurns.add(shows.id);
    results.push(toResult(c, ext, tokens));
  }
  const full = (): string => [...(pinnedLines.length ? [PINNED_HEADER, ...pinnedLines] : []), ...(selected.length ? [render(selected)] : [])].join("\n");
  let context = full();
  let contextTokens = countTokens(context);
  while (contextTokens > budget && (selected.length > 0 || pinnedLines.length > 0)) {
    if (selected.length > 0) selected.pop(), results.pop();
    else pinnedLines.pop(), pinnedResults.pop();
    context = full();
    contextTokens = countTokens(context);
  }
  // Packing order favours short lines; the results are listed by relevance, pinned ones first.
  results.sort((a, b) => b.score - a.score || byOrder(snap, (a.type === "memory" ? "m:" : "e:") + a.id, (b.type === "memory" ? "m:" : "e:") + b.id));
  results.unshift(...pinnedResults);
  return { context, contextTokens, results };
}
