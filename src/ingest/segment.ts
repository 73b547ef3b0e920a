import { newId } from "../core/ids.js";
import { contentWords, termList } from "../core/text.js";
import type { Episode, Segment } from "../core/types.js";

/**
 * Segmentation tunables.
 *
 * @example
 * ```ts
 * const o: SegmentOptions = { ...DEFAULT_SEGMENT_OPTIONS, maxGapMinutes: 60 };
 * ```
 */
export interface SegmentOptions {
  /** A silence longer than this starts a new segment. */
  maxGapMinutes: number;
  /** Segments never grow past this many episodes. */
  maxEpisodes: number;
  /** Below this term overlap between the last and next turns, the topic has shifted. */
  shiftThreshold: number;
  /** Segments shorter than this never split on topic. */
  minEpisodes: number;
}

/**
 * Default segmentation tunables.
 *
 * @example
 * ```ts
 * DEFAULT_SEGMENT_OPTIONS.maxGapMinutes; // 30
 * ```
 */
export const DEFAULT_SEGMENT_OPTIONS = { maxGapMinutes: 30, maxEpisodes: 12, shiftThreshold: 0.04, minEpisodes: 4 } as const satisfies SegmentOptions;

function overlap(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n / Math.min(a.size, b.size);
}

/**
 * The content words of the episodes, most frequent first (up to 200): the segment's
 * bag of words, which the coarse segment channel searches.
 *
 * @example
 * ```ts
 * keywords(episodes, 5); // e.g. ["group", "lgbtq", "support", "went", "yesterday"]
 * ```
 */
export function keywords(episodes: Episode[], limit = 200): string[] {
  const freq = new Map<string, number>();
  for (const e of episodes) for (const w of contentWords(`${e.text} ${e.attachmentText ?? ""}`)) if (w.length > 2) freq.set(w, (freq.get(w) ?? 0) + 1);
  return [...freq.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit).map(([w]) => w);
}

/**
 * The summary text of a segment: its speakers, then its content words by frequency.
 *
 * @example
 * ```ts
 * segmentSummary(episodes); // e.g. "Caroline: group, lgbtq, support, went, yesterday"
 * ```
 */
export function segmentSummary(episodes: Episode[]): string {
  const speakers = [...new Set(episodes.map((e) => e.speaker))].join(", ");
  return `${speakers}: ${keywords(episodes).join(", ")}`;
}

/**
 * Splits consecutive episodes of one session into topical segments (EM-LLM-style event
 * segmentation, with lexical cohesion instead of surprise): a new segment starts at a
 * session change, a time gap, a size cap, or where the words of the last three turns and
 * the next three barely overlap. Continues `last` (the session's latest segment) when it fits.
 *
 * @example
 * ```ts
 * const { segments } = segmentEpisodes(episodes, null, []);
 * ```
 */
export function segmentEpisodes(
  episodes: Episode[],
  last: Segment | null,
  lastEpisodes: Episode[],
  options: SegmentOptions = DEFAULT_SEGMENT_OPTIONS,
): { segments: Segment[]; assignment: Map<string, string> } {
  const segments: Segment[] = [];
  const assignment = new Map<string, string>();
  let current: { seg: Segment; eps: Episode[] } | null = last ? { seg: { ...last, episodeIds: [...last.episodeIds] }, eps: [...lastEpisodes] } : null;
  const termSets = new Map<string, Set<string>>();
  const termsOf = (e: Episode) => {
    let t = termSets.get(e.id);
    if (!t) termSets.set(e.id, (t = new Set(termList(`${e.text} ${e.attachmentText ?? ""}`))));
    return t;
  };
  const termsIn = (eps: Episode[], from: number, to: number) => {
    const all = new Set<string>();
    for (let j = Math.max(0, from); j < Math.min(eps.length, to); j++) for (const x of termsOf(eps[j]!)) all.add(x);
    return all;
  };
  const flush = () => {
    if (current && current.eps.length) {
      current.seg.summary = segmentSummary(current.eps);
      segments.push(current.seg);
    }
  };
  for (let i = 0; i < episodes.length; i++) {
    const e = episodes[i]!;
    let boundary = current === null;
    if (current) {
      const prev = current.eps[current.eps.length - 1];
      const gap = prev ? (Date.parse(e.occurredAt) - Date.parse(prev.occurredAt)) / 60_000 : 0;
      if (e.sessionId !== current.seg.sessionId || gap > options.maxGapMinutes || current.eps.length >= options.maxEpisodes) boundary = true;
      else if (current.eps.length >= options.minEpisodes) {
        const before = termsIn(current.eps, current.eps.length - 3, current.eps.length);
        const after = termsIn(episodes, i, i + 3);
        if (overlap(before, after) < options.shiftThreshold) boundary = true;
      }
    }
    if (boundary) {
      flush();
      current = {
        seg: { id: newId("seg", e), tenant: e.tenant, userId: e.userId, sessionId: e.sessionId, episodeIds: [], startedAt: e.occurredAt, endedAt: e.occurredAt, summary: "" },
        eps: [],
      };
    }
    current!.eps.push(e);
    current!.seg.episodeIds.push(e.id);
    current!.seg.endedAt = e.occurredAt;
    assignment.set(e.id, current!.seg.id);
  }
  flush();
  return { segments, assignment };
}
