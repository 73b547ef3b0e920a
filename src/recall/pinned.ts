/**
 * The pinned block: standing instructions and preferences of the user ("Always include
 * version numbers…", "I prefer minimal dependencies…") are available to every recall, not
 * only to queries that happen to match their words. They head the context under their own
 * header, within a small token cap, best match to the query first.
 */
import type { Memory } from "../core/types.js";
import type { Candidate } from "./pack.js";
import type { Snapshot } from "./snapshot.js";

/**
 * Memory kinds that can be pinned.
 *
 * @example
 * ```ts
 * PINNED_KINDS.has("instruction"); // true
 * ```
 */
export const PINNED_KINDS: ReadonlySet<string> = new Set(["instruction", "preference"]);

/**
 * What makes an instruction or preference *standing* (not "I like this photo"): a rule
 * word in its text.
 *
 * @example
 * ```ts
 * STANDING.test("Always format code with syntax highlighting."); // true
 * STANDING.test("Caroline likes the painting."); // false
 * ```
 */
export const STANDING = /\b(always|never|prefer(?:s|red|ence)?|please|make sure|remember to|don'?t|do not|avoid|from now on|want you to|keep it|no more than|at most)\b/i;

/**
 * The header line of the pinned block.
 *
 * @example
 * ```ts
 * PINNED_HEADER; // "[standing instructions and preferences]"
 * ```
 */
export const PINNED_HEADER = "[standing instructions and preferences]";

/**
 * Default cap of the pinned block: this share of the budget, at most {@link PINNED_MAX_TOKENS}.
 *
 * @example
 * ```ts
 * Math.min(PINNED_MAX_TOKENS, Math.floor(1000 * PINNED_SHARE)); // 120
 * ```
 */
export const PINNED_SHARE = 0.12;
/**
 * Upper bound of the default pinned cap, in tokens.
 *
 * @example
 * ```ts
 * PINNED_MAX_TOKENS; // 150
 * ```
 */
export const PINNED_MAX_TOKENS = 150;

/**
 * The `pinned` recall option resolved to a token cap (0 = no pinned block).
 *
 * @example
 * ```ts
 * pinnedCap(undefined, 1000); // 120
 * pinnedCap(false, 1000); // 0
 * pinnedCap({ maxTokens: 60 }, 1000); // 60
 * ```
 */
export function pinnedCap(option: boolean | { maxTokens?: number | undefined } | undefined, budget: number): number {
  if (option === false) return 0;
  const def = Math.min(PINNED_MAX_TOKENS, Math.floor(budget * PINNED_SHARE));
  if (typeof option === "object" && option.maxTokens !== undefined) return Math.min(option.maxTokens, budget);
  return def;
}

/**
 * True when a memory is a standing instruction or preference *of the user*: kind
 * instruction or preference, a rule word in its text, said in a turn with the `user` role
 * (named-speaker conversations have no user to pin for).
 *
 * @example
 * ```ts
 * isPinnable(memory, snapshot); // true for "Always include version numbers…" said by the user
 * ```
 */
export function isPinnable(m: Memory, snap: Snapshot): boolean {
  if (!PINNED_KINDS.has(m.kind) || !STANDING.test(m.text)) return false;
  const ep = snap.episodes.get(m.sources[0] ?? "");
  return ep !== undefined && (ep.role ?? "").toLowerCase() === "user";
}

/** Pinnable memories per snapshot (a snapshot is immutable: a new one replaces it after a write). */
const pinnableCache = new WeakMap<Snapshot, Memory[]>();

/**
 * The pinned candidates of a recall, best first: those the query also found (by their
 * fused score), then instructions before preferences, newer before older.
 *
 * @example
 * ```ts
 * const pins = pinnedCandidates(snap, (k) => eligible(k), new Map(candidates.map((c) => [c.key, c.score])));
 * ```
 */
export function pinnedCandidates(snap: Snapshot, eligible: (key: string) => boolean, scores: ReadonlyMap<string, number>): Candidate[] {
  let pinnable = pinnableCache.get(snap);
  if (!pinnable) pinnableCache.set(snap, (pinnable = [...snap.memories.values()].filter((m) => isPinnable(m, snap))));
  const out: Candidate[] = [];
  for (const m of pinnable) {
    const key = "m:" + m.id;
    if (!eligible(key)) continue;
    out.push({ key, type: "memory", memory: m, score: scores.get(key) ?? 0, channels: { pinned: 1 } });
  }
  return out.sort(
    (a, b) =>
      b.score - a.score ||
      (a.type === "memory" && b.type === "memory" ? Number(b.memory.kind === "instruction") - Number(a.memory.kind === "instruction") || b.memory.observedAt.localeCompare(a.memory.observedAt) : 0),
  );
}
