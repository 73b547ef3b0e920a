import { z } from "zod";
import { MnemoError } from "./errors.js";
import { MEMORY_KINDS, type MessageInput, type Scope, type ScopeInput } from "./types.js";

const SCOPE_ID = /^[\p{L}\p{N}_.:@-]{1,200}$/u;

/**
 * Validates scope arguments and fills the default tenant. The scope is taken only
 * from here: metadata can never set or change it.
 *
 * @example
 * ```ts
 * resolveScope({ userId: "alice" }, "default"); // { tenant: "default", userId: "alice" }
 * ```
 */
export function resolveScope(input: ScopeInput | undefined, defaultTenant: string): Scope {
  if (!input || typeof input !== "object") throw new MnemoError("INVALID_SCOPE", "A scope with a userId is required.");
  const tenant = input.tenant ?? defaultTenant;
  const check = (name: string, v: unknown, required: boolean): string | undefined => {
    if (v === undefined || v === null) {
      if (required) throw new MnemoError("INVALID_SCOPE", `${name} is required.`);
      return undefined;
    }
    if (typeof v !== "string" || !SCOPE_ID.test(v)) throw new MnemoError("INVALID_SCOPE", `${name} ${JSON.stringify(v)} is not a valid id.`);
    return v;
  };
  const scope: Scope = { tenant: check("tenant", tenant, true)!, userId: check("userId", input.userId, true)! };
  const agentId = check("agentId", input.agentId, false);
  const sessionId = check("sessionId", input.sessionId, false);
  if (agentId !== undefined) scope.agentId = agentId;
  if (sessionId !== undefined) scope.sessionId = sessionId;
  return scope;
}

const messageSchema = z.strictObject({
  id: z.string().min(1).max(500).optional(),
  speaker: z.string().min(1).max(200).optional(),
  role: z.string().min(1).max(50).optional(),
  content: z.string(),
  attachmentText: z.string().optional(),
  occurredAt: z.union([z.string(), z.date()]).optional(),
  sessionId: z.string().regex(SCOPE_ID).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Validates a batch of messages: shape, sizes, non-empty content. Throws
 * INVALID_INPUT / PAYLOAD_TOO_LARGE naming the first offending message.
 *
 * @example
 * ```ts
 * validateMessages([{ content: "hi" }], { maxMessageChars: 1000, maxBatchMessages: 10 });
 * ```
 */
export function validateMessages(messages: unknown, limits: { maxMessageChars: number; maxBatchMessages: number }): MessageInput[] {
  if (!Array.isArray(messages)) throw new MnemoError("INVALID_INPUT", "messages must be an array.");
  if (messages.length > limits.maxBatchMessages) throw new MnemoError("PAYLOAD_TOO_LARGE", `${messages.length} messages in one batch; the limit is ${limits.maxBatchMessages}.`);
  return messages.map((m, i) => {
    if (typeof m === "string") m = { content: m };
    const r = messageSchema.safeParse(m);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new MnemoError("INVALID_INPUT", `messages[${i}].${issue?.path.join(".") || ""}: ${issue?.message ?? "invalid"}`);
    }
    const msg = r.data;
    const size = msg.content.length + (msg.attachmentText?.length ?? 0);
    if (size > limits.maxMessageChars) throw new MnemoError("PAYLOAD_TOO_LARGE", `messages[${i}] has ${size} characters; the limit is ${limits.maxMessageChars}.`);
    if (msg.content.trim() === "" && !msg.attachmentText?.trim()) throw new MnemoError("INVALID_INPUT", `messages[${i}].content is empty.`);
    // A lone UTF-16 surrogate cannot be stored as UTF-8 (it would become U+FFFD): refused.
    for (const [field, v] of [["content", msg.content], ["attachmentText", msg.attachmentText], ["speaker", msg.speaker], ["id", msg.id]] as const) {
      if (v !== undefined && /\p{Cs}/u.test(v)) throw new MnemoError("INVALID_INPUT", `messages[${i}].${field} holds a lone UTF-16 surrogate.`, { hint: "Send well-formed Unicode text (pair every surrogate, or drop it)." });
    }
    if (msg.metadata !== undefined) {
      // Stored as JSON: it must serialise (no BigInt, no cycles) and is bounded like the content.
      let encoded: string;
      try {
        encoded = JSON.stringify(msg.metadata);
      } catch (e) {
        throw new MnemoError("INVALID_INPUT", `messages[${i}].metadata is not JSON-serialisable: ${(e as Error).message}`);
      }
      if (encoded.length > limits.maxMessageChars) throw new MnemoError("PAYLOAD_TOO_LARGE", `messages[${i}].metadata has ${encoded.length} characters of JSON; the limit is ${limits.maxMessageChars}.`);
    }
    if (msg.speaker === undefined && msg.role === undefined) msg.role = "user";
    return msg as MessageInput;
  });
}

/**
 * Schema for recall kinds.
 *
 * @example
 * ```ts
 * kindsSchema.parse(["fact", "event"]); // ["fact", "event"]
 * kindsSchema.safeParse(["gossip"]).success; // false
 * ```
 */
export const kindsSchema = z.array(z.enum(MEMORY_KINDS));
