import type { MessageInput } from "../../core/types.js";
import { defineRoute } from "../route.js";
import { RememberRequestSchema, RememberResponseSchema } from "../schemas.js";
import type { RememberResponse } from "../types.js";

/**
 * `POST /v1/remember`: stores messages as episodes and distils memories. Safe to retry:
 * messages with an `id` are stored once, and an Idempotency-Key replays the first response.
 *
 * @example
 * ```ts
 * // curl -X POST $URL/v1/remember -H "authorization: Bearer $KEY" -H "content-type: application/json" \
 * //   -d '{"userId":"alice","messages":[{"id":"m1","role":"user","content":"I moved to Boston."}]}'
 * ```
 */
export const rememberRoute = defineRoute({
  method: "post",
  path: "/v1/remember",
  operationId: "remember",
  summary: "Store messages and distil memories",
  description: "Messages are kept verbatim as episodes; memories are extracted and consolidated (added, updated, invalidated or unchanged). The response is sent after the commit.",
  tags: ["memory"],
  scope: "write",
  body: RememberRequestSchema,
  response: { schema: RememberResponseSchema, description: "What was stored." },
  idempotent: true,
  errors: [400, 409, 413, 415, 422],
  async handler({ body }, env) {
    const messages: MessageInput[] = body.messages.map((m) => ({ ...m }));
    const scope = { tenant: env.principal.tenant, userId: body.userId, agentId: body.agentId, sessionId: body.sessionId };
    const r = await env.write(() => env.mnemo.remember(messages, scope), body.userId);
    const out: RememberResponse = { episodes: { added: r.episodes.added, duplicates: r.episodes.duplicates, ids: r.episodes.ids }, memories: { ...r.memories } };
    const writes = { episodes_added: r.episodes.added, memories_added: r.memories.added, memories_updated: r.memories.updated, memories_invalidated: r.memories.invalidated };
    return { kind: "json", body: out, userId: body.userId, writes };
  },
});
