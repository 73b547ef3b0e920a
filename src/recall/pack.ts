import { formatDay } from "../core/time.js";
import { compressText } from "../core/text.js";
import { countTokens } from "../core/tokens.js";
import type { Episode, Memory, RecallResult } from "../core/types.js";
import { byOrder, type Snapshot } from "./snapshot.js";
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
 * `cite`, the line ends with its first source: "… (D1:3)" (about 5 tokens more).
 *
 * @example
 * ```ts
 * memoryLine(memory, ["D1:3"], true); // "- Caroline went to a LGBTQ support group on 7 May 2023. (D1:3)"
 * ```
 */
export function memoryLine(m: Memory, sources: string[], cite = false): string {
  const line = `- ${provenanceTag(m)}${compressText(m.text)}`;
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
export function episodeLine(e: Episode, cite = false): string {
  const att = e.attachmentText ? ` [photo: ${e.attachmentText}]` : "";
  const line = `- ${e.speaker}${provenanceTag(e)}: "${compressText(e.text)}"${att}`;
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
export function pack(candidates: Candidate[], snap: Snapshot, budget: number, episodeShare: number, cite: boolean): { context: string; contextTokens: number; results: RecallResult[] } {
  const covered = new Set<string>();
  const shownTurns = new Set<string>();
  const selected: Array<{ day: string; line: string }> = [];
  const days = new Set<string>();
  const results: RecallResult[] = [];
  let used = 0;
  let episodeTokens = 0;
  let misses = 0;
  // Value per token: among the leading candidates, a short line beats a long one of a
  // similar score (score · tokens^−β), so the budget holds more distinct evidence.
  const head = candidates.slice(0, PACK_WINDOW).map((c) => {
    const ext = (c.type === "memory" ? c.memory.sources : [c.episode.id]).map((s) => sourceLabel(snap, s));
    const line = c.type === "memory" ? memoryLine(c.memory, ext, cite) : episodeLine(c.episode, cite);
    return { c, ext, line, lineTokens: countTokens(line) };
  });
  head.sort((a, b) => b.c.score / Math.pow(b.lineTokens, TOKEN_COST) - a.c.score / Math.pow(a.lineTokens, TOKEN_COST));
  // Memories keep the speaker's words (dates annotated): a turn whose memory is a leading candidate
  // of a close score is not repeated verbatim.
  const headMemories = new Map(head.flatMap((h) => (h.c.type === "memory" ? [[h.c.memory.id, h.c.score] as const] : [])));
  const ordered = [...head, ...candidates.slice(PACK_WINDOW).map((c) => ({ c, ext: null as string[] | null, line: null as string | null, lineTokens: 0 }))];
  for (const item of ordered) {
    const c = item.c;
    if (misses > 40 || used >= budget) break;
    const sources = c.type === "memory" ? c.memory.sources : [c.episode.id];
    if (c.type === "episode" && (snap.episodeMemories.get(c.episode.id) ?? []).some((id) => (headMemories.get(id) ?? 0) >= c.score * NEAR_SCORE)) continue;
    // A memory is redundant once its verbatim turns are shown (a profile summary once its sources are);
    // two memories of one turn keep different sentences.
    if (sources.every((s) => (c.type === "memory" && c.memory.kind !== "summary" ? shownTurns : covered).has(s))) continue;
    const ext = item.ext ?? sources.map((s) => sourceLabel(snap, s));
    const line = item.line ?? (c.type === "memory" ? memoryLine(c.memory, ext, cite) : episodeLine(c.episode, cite));
    const day = dayOf(c);
    const header = days.has(day) ? 0 : countTokens(`[${formatDay(day + "T00:00:00Z")}]`) + 1;
    const tokens = countTokens(line) + 1 + header;
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
    if (c.type === "episode") shownTurns.add(c.episode.id);
    if (c.type === "memory") {
      const m = c.memory;
      results.push({ id: m.id, type: "memory", kind: m.kind, text: m.text, score: c.score, sources: ext, occurredAt: m.validFrom ?? m.observedAt, speaker: m.subject, channels: c.channels, tokens, ...resultProvenance(m) });
    } else {
      const e = c.episode;
      results.push({ id: e.id, type: "episode", kind: "episode", text: e.text, score: c.score, sources: ext, occurredAt: e.occurredAt, speaker: e.speaker, channels: c.channels, tokens, ...resultProvenance(e) });
    }
  }
  let context = render(selected);
  let contextTokens = countTokens(context);
  while (contextTokens > budget && selected.length > 0) {
    selected.pop();
    results.pop();
    context = render(selected);
    contextTokens = countTokens(context);
  }
  // Packing order favours short lines; the results are listed by relevance.
  results.sort((a, b) => b.score - a.score || byOrder(snap, (a.type === "memory" ? "m:" : "e:") + a.id, (b.type === "memory" ? "m:" : "e:") + b.id));
  return { context, contextTokens, results };
}
