import { z } from "zod";
import { SENSITIVITY_CATEGORIES, SOURCE_ROLES, TRUST_LEVELS, type Episode, type Memory, type SourceRole, type TrustLevel } from "../core/types.js";

/**
 * Sources trusted by default: only the user can give instructions or state facts about
 * themselves. Pass `trustedSources` to {@link Mnemo.open} to trust another channel
 * (e.g. `["user", "system"]` when the system prompt is yours).
 *
 * @example
 * ```ts
 * DEFAULT_TRUSTED_SOURCES; // ["user"]
 * ```
 */
export const DEFAULT_TRUSTED_SOURCES: readonly SourceRole[] = ["user"];

const ROLE_SOURCES: Readonly<Record<string, SourceRole>> = {
  user: "user",
  human: "user",
  assistant: "assistant",
  ai: "assistant",
  bot: "assistant",
  model: "assistant",
  system: "system",
  developer: "system",
  tool: "tool",
  function: "tool",
  ipython: "tool",
  document: "document",
  web: "document",
  retrieval: "document",
  context: "document",
  import: "import",
};

/**
 * The source role of a message: its chat role when it names one ("assistant", "tool",
 * "function", "document", "system", …), else its speaker when that is a role word, else
 * "user" (a named human speaker in a chat, as in LoCoMo).
 *
 * @example
 * ```ts
 * sourceOf("tool", "search"); // "tool"
 * sourceOf(null, "Caroline"); // "user"
 * sourceOf(null, "assistant"); // "assistant"
 * ```
 */
export function sourceOf(role: string | null | undefined, speaker: string | null | undefined): SourceRole {
  const r = role ? ROLE_SOURCES[role.trim().toLowerCase()] : undefined;
  if (r) return r;
  const s = speaker ? ROLE_SOURCES[speaker.trim().toLowerCase()] : undefined;
  return s ?? "user";
}

/**
 * The trust level of a source given the trusted channels.
 *
 * @example
 * ```ts
 * trustOf("user", ["user"]); // "trusted"
 * trustOf("tool", ["user"]); // "untrusted"
 * ```
 */
export function trustOf(source: SourceRole, trusted: readonly SourceRole[] = DEFAULT_TRUSTED_SOURCES): TrustLevel {
  return trusted.includes(source) ? "trusted" : "untrusted";
}

/**
 * Provenance of a record with the defaults of rows written before provenance existed
 * (source "user", trust "trusted": what they were treated as).
 *
 * @example
 * ```ts
 * provenanceOf({ source: undefined, trust: undefined }); // { source: "user", trust: "trusted" }
 * ```
 */
export function provenanceOf(r: Pick<Memory | Episode, "source" | "trust">): { source: SourceRole; trust: TrustLevel } {
  return { source: r.source ?? "user", trust: r.trust ?? "trusted" };
}

/**
 * Whether a record is trusted (absent trust = trusted, see {@link provenanceOf}).
 *
 * @example
 * ```ts
 * isTrusted({ trust: "untrusted" }); // false
 * ```
 */
export function isTrusted(r: { trust?: TrustLevel | undefined }): boolean {
  return (r.trust ?? "trusted") === "trusted";
}

/**
 * The provenance fields of an exported memory (zod shape, all optional: older exports lack them).
 *
 * @example
 * ```ts
 * const memorySchema = z.strictObject({ id: z.string(), ...MEMORY_PROVENANCE_SHAPE });
 * ```
 */
export const MEMORY_PROVENANCE_SHAPE = {
  source: z.enum(SOURCE_ROLES).optional(),
  trust: z.enum(TRUST_LEVELS).optional(),
  sensitivity: z.array(z.enum(SENSITIVITY_CATEGORIES)).optional(),
};

/**
 * The provenance fields of an exported episode (zod shape, all optional).
 *
 * @example
 * ```ts
 * const episodeSchema = z.strictObject({ id: z.string(), ...EPISODE_PROVENANCE_SHAPE });
 * ```
 */
export const EPISODE_PROVENANCE_SHAPE = {
  ...MEMORY_PROVENANCE_SHAPE,
  quarantine: z.strictObject({ reasons: z.array(z.string().max(100)).max(50), at: z.string().max(100) }).nullable().optional(),
};
