import { defineRoute } from "../route.js";
import { RecallRequestSchema, RecallResponseSchema } from "../schemas.js";
import { toApiRecallResult } from "../types.js";

/**
 * `POST /v1/recall`: the memories and verbatim snippets that answer a query, packed under a token budget.
 *
 * @example
 * ```ts
 * // curl -X POST $URL/v1/recall -H "authorization: Bearer $KEY" -H "content-type: application/json" \
 * //   -d '{"userId":"alice","query":"Where does Alice live?","budgetTokens":300}'
 * ```
 */
export const recallRoute = defineRoute({
  method: "post",
  path: "/v1/recall",
  operationId: "recall",
  summary: "Recall what answers a query",
  description: "Returns a context string ready for a prompt (within budgetTokens) and the ranked results it was built from.",
  tags: ["memory"],
  scope: "read",
  body: RecallRequestSchema,
  response: { schema: RecallResponseSchema, description: "The context and its results." },
  errors: [400, 413, 415],
  async handler({ body }, env) {
    const r = await env.mnemo.recall(body.query, {
      tenant: env.principal.tenant,
      userId: body.userId,
      agentId: body.agentId,
      budgetTokens: body.budgetTokens,
      asOf: body.asOf,
      kinds: body.kinds,
      filters: body.filters,
      includeEpisodes: body.includeEpisodes,
      citeSources: body.citeSources,
      sensitive: body.sensitive,
      includeQuarantined: body.includeQuarantined,
    });
    return { kind: "json", body: { context: r.context, contextTokens: r.contextTokens, results: r.results.map(toApiRecallResult), withheld: r.withheld } };
  },
});
