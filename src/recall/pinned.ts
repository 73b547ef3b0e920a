/**
 * The pinned block: standing instructions and preferences of the user ("Always include
 * version numbers…", "I prefer minimal dependencies…") are available to every recall, not
 * only to queries that happen to match their words. They head the context under their own
 * header, within a small token cap, best match to the query first.
 */
import { cachePut } from "../core/context.js";
import { sentences } from "../core/text.js";
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

/**
 * A pinned item: the candidate it stands for and the text of its line.
 *
 * @example
 * ```ts
 * const p: Pinned = { candidate, text: "Always include version numbers when you recommend a library." };
 * ```
 */
export interface Pinned {
  candidate: Candidate;
  text: string;
}

/**
 * How many scopes' pinned ids are kept between recalls (an LRU in the context's caches).
 *
 * @example
 * ```ts
 * const kept = [...ctx.caches.keys()].filter((k) => k.startsWith("pinned")).length; // ≤ 64
 * ```
 */
export const PINNED_CACHE_SCOPES = 64;

/**
 * The ids of the scope's standing instruction and preference memories (at most 200, newest
 * first) and of its turns holding rule words (at most 60), kept per scope for one store
 * generation: they do not depend on the query, so a recall without a write since the last
 * one reads none of the two queries again (the rows come from the snapshot).
 */
async function standingIds(snap: Snapshot): Promise<{ memoryIds: string[]; episodeIds: string[] }> {
  const { ctx, key } = snap;
  const store = ctx.store;
  const cacheKey = "pinned\u0000" + key.tenant + "\u0000" + key.userId;
  const gen = await store.generation(key);
  const cached = ctx.caches.get(cacheKey) as { gen: number; memoryIds: string[]; episodeIds: string[] } | undefined;
  if (cached && cached.gen === gen) {
    cachePut(ctx.caches, cacheKey, cached, PINNED_CACHE_SCOPES);
    return cached;
  }
  const [page, hits] = await Promise.all([
    store.listMemories({ tenant: key.tenant, userId: key.userId, kinds: ["instruction", "preference"], limit: 200 }),
    store.searchText(key, "episode", ["always", "never", "prefer", "please", "avoid"], 60),
  ]);
  for (const m of page.items) if (!snap.memories.has(m.id)) snap.memories.set(m.id, m);
  const entry = { gen, memoryIds: page.items.filter((m) => STANDING.test(m.text)).map((m) => m.id), episodeIds: hits.map((h) => h.id) };
  cachePut(ctx.caches, cacheKey, entry, PINNED_CACHE_SCOPES);
  return entry;
}

/** A standing rule said in a user's turn, as a sentence. */
const RULE_SENTENCE = /^(?:please\s+)?(?:always|never|avoid|make sure|remember to|don'?t|do not|from now on)\b|\bI (?:would |'d |really |always )?prefer\b|\bI want you to\b/i;

/**
 * The standing rule a pinned memory states, in the speaker's words without the "name: "
 * prefix of an extracted memory; null when none of its sentences states a rule.
 *
 * @example
 * ```ts
 * ruleText({ text: "alice: Always include version numbers.", subject: "alice" } as Memory); // "Always include version numbers."
 * ruleText({ text: "alice: I want to make sure it works.", subject: "alice" } as Memory); // null
 * ```
 */
export function ruleText(m: Pick<Memory, "text" | "subject">): string | null {
  const prefix = m.subject !== null ? `${m.subject}: ` : null;
  const body = prefix && m.text.startsWith(prefix) ? m.text.slice(prefix.length) : m.text;
  const rules = ruleSentences(body);
  return rules.length > 0 ? rules.join(" ") : null;
}

/** The sentences of `text` that state a standing rule (at most 40 words, not a question). */
function ruleSentences(text: string): string[] {
  return sentences(text).filter((x) => RULE_SENTENCE.test(x) && x.split(/\s+/).length <= 40 && !/\?\s*$/.test(x));
}

/**
 * The pinned items of a recall, best first: those the query also found (by their fused
 * score), then instructions before preferences, newer before older. Reads the scope's
 * instruction and preference memories (at most 200) and, since an extractor may not keep
 * a rule addressed to the assistant as a memory, the user's turns that state one
 * (full-text search for rule words, at most 60), as their rule sentence.
 *
 * @example
 * ```ts
 * const pins = await pinnedCandidates(snap, (k) => eligible(k), new Map(candidates.map((c) => [c.key, c.score])));
 * ```
 */
export async function pinnedCandidates(snap: Snapshot, eligible: (key: string) => boolean, scores: ReadonlyMap<string, number>): Promise<Pinned[]> {
  const found = await standingIds(snap);
  await snap.load(found.memoryIds);
  const standing = found.memoryIds.map((id) => snap.memories.get(id)).filter((m): m is Memory => m !== undefined && STANDING.test(m.text));
  const hits = found.episodeIds.map((id) => ({ id }));
  await snap.loadEpisodes([...standing.map((m) => m.sources[0] ?? ""), ...found.episodeIds]);
  const out: Array<Pinned & { rank: number; at: string }> = [];
  for (const m of standing) {
    const key = "m:" + m.id;
    if (!isPinnable(m, snap) || !eligible(key)) continue;
    // The rule in the user's words ("Always include…", not "alice: Always include…"), so the
    // same rule found in a turn is one line; a memory that states no rule is not pinned
    // ("I want to make sure I'm doing it correctly" is no standing instruction).
    const text = ruleText(m);
    if (text === null) continue;
    out.push({ candidate: { key, type: "memory", memory: m, score: scores.get(key) ?? 0, channels: { pinned: 1 } }, text, rank: m.kind === "instruction" ? 1 : 0, at: m.observedAt });
  }
  for (const h of hits) {
    const e = snap.episodes.get(h.id);
    const key = "e:" + h.id;
    if (!e || (e.role ?? "").toLowerCase() !== "user" || !eligible(key)) continue;
    for (const sentence of ruleSentences(e.text)) {
      out.push({ candidate: { key, type: "episode", episode: e, score: scores.get(key) ?? 0, channels: { pinned: 1 } }, text: sentence, rank: /prefer/i.test(sentence) ? 0 : 1, at: e.occurredAt });
    }
  }
  return out.sort((a, b) => b.candidate.score - a.candidate.score || b.rank - a.rank || b.at.localeCompare(a.at)).map(({ candidate, text }) => ({ candidate, text }));
}
