import type { Episode } from "../../core/types.js";

/**
 * Who a turn is from, for extraction: the scope's user (a person), a named speaker
 * (LoCoMo), the assistant, a system prompt or a tool's output.
 *
 * @example
 * ```ts
 * const k: TurnKind = "assistant";
 * ```
 */
export type TurnKind = "user" | "named" | "assistant" | "system" | "tool";

const ROLE_WORDS = /^(user|human|assistant|ai|bot|system|developer|tool|function)$/i;

/**
 * The kind of a turn: its `role` if it has a chat role, else its speaker when that is a
 * role word ("user", "assistant"), else a named speaker.
 *
 * @example
 * ```ts
 * turnKind({ role: "assistant", speaker: "assistant" }); // "assistant"
 * turnKind({ role: null, speaker: "Caroline" }); // "named"
 * turnKind({ role: "user", speaker: "Maya" }); // "user"
 * ```
 */
export function turnKind(ep: Pick<Episode, "role" | "speaker">): TurnKind {
  const r = (ep.role ?? (ROLE_WORDS.test(ep.speaker) ? ep.speaker : "")).toLowerCase();
  if (r === "user" || r === "human") return "user";
  if (r === "assistant" || r === "ai" || r === "bot") return "assistant";
  if (r === "system" || r === "developer") return "system";
  if (r === "tool" || r === "function") return "tool";
  return "named";
}

/**
 * The person a user or named turn speaks for: a named speaker is themself; a bare
 * `user` turn is the scope's person (`userName`, default the userId).
 *
 * @example
 * ```ts
 * personOf({ role: "user", speaker: "user" }, "Alice"); // "Alice"
 * personOf({ role: "user", speaker: "Maya" }, "maya-id"); // "Maya"
 * personOf({ role: null, speaker: "Caroline" }, "conv-26"); // "Caroline"
 * ```
 */
export function personOf(ep: Pick<Episode, "role" | "speaker">, userName: string): string {
  return ROLE_WORDS.test(ep.speaker) ? userName : ep.speaker;
}
