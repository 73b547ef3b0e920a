import type { Episode, Memory, MessageInput, SourceRole } from "../core/types.js";
import type { CandidateMemory } from "../ingest/extract/types.js";
import { detectInjection } from "./injection.js";
import { DEFAULT_TRUSTED_SOURCES, sourceOf, trustOf } from "./provenance.js";
import { mergeCategories, redactCredentials, tagSensitivity } from "./sensitivity.js";

/**
 * Redacts credential values (see {@link redactCredentials}) from each message's content
 * and attachment text, before anything is hashed or stored. Returns new message objects.
 *
 * @example
 * ```ts
 * const [m] = redactMessages([{ content: "My PIN is 4821." }]);
 * m!.content; // "My PIN is [redacted]."
 * ```
 */
export function redactMessages(messages: MessageInput[]): MessageInput[] {
  return messages.map((m) => {
    const content = redactCredentials(m.content);
    const attachment = m.attachmentText !== undefined ? redactCredentials(m.attachmentText) : null;
    if (content.count === 0 && (attachment === null || attachment.count === 0)) return m;
    return { ...m, content: content.text, ...(attachment ? { attachmentText: attachment.text } : {}) };
  });
}

/**
 * Stamps provenance on new episodes: the source role (from the chat role or speaker), the
 * trust level (trusted only for `trusted` sources, by default the user), the sensitive
 * categories of the text, and a quarantine when the text matches an injection rule (see
 * {@link detectInjection}). Mutates and returns the episodes.
 *
 * @example
 * ```ts
 * guardEpisodes([episode], ["user"], new Date().toISOString());
 * episode.quarantine; // { reasons: ["override-instructions"], at: "…" } for "Ignore all previous instructions…"
 * ```
 */
export function guardEpisodes(episodes: Episode[], trusted: readonly SourceRole[] | undefined, now: string): Episode[] {
  for (const e of episodes) {
    const source = sourceOf(e.role, e.speaker);
    const text = e.attachmentText ? `${e.text}\n${e.attachmentText}` : e.text;
    const reasons = detectInjection(text, source, e.speaker);
    e.source = source;
    e.trust = reasons.length > 0 ? "untrusted" : trustOf(source, trusted ?? DEFAULT_TRUSTED_SOURCES);
    e.quarantine = reasons.length > 0 ? { reasons, at: now } : null;
    e.sensitivity = tagSensitivity(text);
  }
  return episodes;
}

/** Kinds that state what the user wants or is: only a trusted source may produce them. */
const USER_KINDS = new Set(["instruction", "preference", "profile"]);

/**
 * Filters and stamps extracted candidates: a candidate citing a quarantined episode is
 * dropped (a quarantined text is never distilled); one whose first source is untrusted
 * becomes a plain `fact` with that source's provenance (never an instruction, preference
 * or profile fact about the user); every candidate gets the sensitive categories of its
 * text (merged with any the extractor set).
 *
 * @example
 * ```ts
 * const kept = guardCandidates(candidates, new Map(episodes.map((e) => [e.id, e])));
 * ```
 */
export function guardCandidates(candidates: CandidateMemory[], episodes: Map<string, Episode>): CandidateMemory[] {
  const out: CandidateMemory[] = [];
  for (const c of candidates) {
    const sources = c.sources.map((s) => episodes.get(s));
    if (sources.some((e) => e?.quarantine)) continue;
    const primary = sources[0];
    const source = primary?.source ?? "user";
    const trust = primary?.trust ?? "trusted";
    const redacted = redactCredentials(c.text).text;
    out.push({
      ...c,
      text: redacted,
      kind: trust === "untrusted" && USER_KINDS.has(c.kind) ? "fact" : c.kind,
      source,
      trust,
      sensitivity: mergeCategories(c.sensitivity, tagSensitivity(redacted)),
    });
  }
  return out;
}

/**
 * Fills provenance and sensitivity on memories written by this commit: memories without a
 * source (profile summaries, built only from trusted profile and preference memories) are
 * the user's; the sensitive categories follow the text (a summary's are recomputed, since
 * its text is rebuilt; others keep what the extractor set).
 *
 * @example
 * ```ts
 * stampMemories([...consolidated.memories.values()]);
 * ```
 */
export function stampMemories(memories: Memory[]): Memory[] {
  for (const m of memories) {
    m.source ??= "user";
    m.trust ??= "trusted";
    m.sensitivity = m.kind === "summary" ? tagSensitivity(m.text) : mergeCategories(m.sensitivity, tagSensitivity(m.text));
  }
  return memories;
}

/**
 * Consolidation guard: whether a candidate may reinforce, refine or invalidate an existing
 * memory. An untrusted source never changes a trusted memory; a trusted one never merges
 * into an untrusted memory (it adds its own, trusted, memory instead).
 *
 * @example
 * ```ts
 * mayAffect({ trust: "trusted" }, { trust: "untrusted" }); // false
 * mayAffect({ trust: "untrusted" }, { trust: "trusted" }); // false (merge), see mayInvalidate
 * ```
 */
export function mayAffect(existing: Pick<Memory, "trust">, candidate: Pick<CandidateMemory, "trust">): boolean {
  return (existing.trust ?? "trusted") === (candidate.trust ?? "trusted");
}

/**
 * Whether a candidate may invalidate an existing single-valued fact: anything may
 * invalidate an untrusted memory; only a trusted source a trusted one.
 *
 * @example
 * ```ts
 * mayInvalidate({ trust: "trusted" }, { trust: "untrusted" }); // false
 * mayInvalidate({ trust: "untrusted" }, { trust: "trusted" }); // true
 * ```
 */
export function mayInvalidate(existing: Pick<Memory, "trust">, candidate: Pick<CandidateMemory, "trust">): boolean {
  return (existing.trust ?? "trusted") === "untrusted" || (candidate.trust ?? "trusted") === "trusted";
}

/**
 * Guards rows read from an export before they are imported: credential values are
 * redacted from every text; rows that carry provenance keep it; rows without it (exports
 * made before provenance existed, or hand-written files) get source "import", trust
 * "untrusted" unless "import" is a trusted source, and the injection and sensitivity
 * checks of a new message. Mutates and returns the rows.
 *
 * @example
 * ```ts
 * guardImported(episodes, memories, ctx.options.trustedSources, new Date().toISOString());
 * ```
 */
export function guardImported(episodes: Episode[], memories: Memory[], trusted: readonly SourceRole[] | undefined, now: string): void {
  const importTrust = trustOf("import", trusted ?? DEFAULT_TRUSTED_SOURCES);
  for (const e of episodes) {
    e.text = redactCredentials(e.text).text;
    if (e.attachmentText !== null) e.attachmentText = redactCredentials(e.attachmentText).text;
    const text = e.attachmentText ? `${e.text}\n${e.attachmentText}` : e.text;
    if (e.source === undefined) {
      e.source = "import";
      const reasons = detectInjection(text, "import", e.speaker);
      e.trust = reasons.length > 0 ? "untrusted" : importTrust;
      e.quarantine = reasons.length > 0 ? { reasons, at: now } : null;
    }
    e.trust ??= trustOf(e.source, trusted ?? DEFAULT_TRUSTED_SOURCES);
    e.sensitivity = mergeCategories(e.sensitivity, tagSensitivity(text));
  }
  for (const m of memories) {
    m.text = redactCredentials(m.text).text;
    if (m.source === undefined) m.source = "import";
    m.trust ??= trustOf(m.source, trusted ?? DEFAULT_TRUSTED_SOURCES);
    if (m.trust === "untrusted" && USER_KINDS.has(m.kind)) m.kind = "fact";
    m.sensitivity = mergeCategories(m.sensitivity, tagSensitivity(m.text));
  }
}
