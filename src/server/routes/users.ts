import { MnemoError } from "../../core/errors.js";
import { defineRoute, type Route, type RouteEnv } from "../route.js";
import { CountsSchema, ExportBodySchema, ImportBodySchema, ImportQuerySchema, SCOPE_ID_RE, UserParamsSchema } from "../schemas.js";

const eraseRoute = defineRoute({
  method: "delete",
  path: "/v1/users/{userId}",
  operationId: "eraseUser",
  summary: "Erase a user",
  description: "Hard-deletes the user's episodes, memories, history, entities and vectors, leaving no trace in the file. Needs the admin scope.",
  tags: ["users"],
  scope: "admin",
  params: UserParamsSchema,
  response: { schema: CountsSchema, description: "What was deleted." },
  idempotent: true,
  errors: [400, 404, 409, 422],
  async handler({ params }, env) {
    const tenant = env.principal.tenant;
    const counts = await env.write(async () => {
      await env.idempotency.forgetUser(tenant, params.userId);
      return env.mnemo.erase({ tenant, userId: params.userId });
    }, params.userId);
    return { kind: "json", body: counts, userId: null, writes: { users_erased: 1 } };
  },
});

const exportRoute = defineRoute({
  method: "get",
  path: "/v1/users/{userId}/export",
  operationId: "exportUser",
  summary: "Export a user as JSONL",
  description: "A consistent snapshot (taken between writes), streamed as application/x-ndjson. Import it with POST /v1/import.",
  tags: ["users"],
  scope: "read",
  params: UserParamsSchema,
  response: { schema: ExportBodySchema, kind: "ndjson", description: "JSONL lines." },
  errors: [400, 404],
  async handler({ params }, env) {
    const lines = await env.write(async () => {
      const out: string[] = [];
      for await (const line of env.mnemo.export({ tenant: env.principal.tenant, userId: params.userId })) out.push(line);
      return out;
    }, params.userId);
    return { kind: "ndjson", lines };
  },
});

/**
 * Refuses (CONFLICT) an import whose episodes reuse external ids the target user already
 * has under other episode ids, or repeat one within the file: the store's unique index on
 * (tenant, user, external id) would otherwise fail the commit with a 500.
 */
async function checkExternalIds(env: RouteEnv, jsonl: string, scope: { tenant: string; userId: string }): Promise<void> {
  const byExt = new Map<string, string>();
  for (const line of jsonl.split("\n")) {
    if (!line.includes('"episode"')) continue;
    let rec: { type?: unknown; id?: unknown; externalId?: unknown };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      continue; // the core reports bad lines
    }
    if (rec.type !== "episode" || typeof rec.id !== "string" || typeof rec.externalId !== "string") continue;
    const seen = byExt.get(rec.externalId);
    if (seen !== undefined && seen !== rec.id) throw new MnemoError("INVALID_INPUT", `Two episodes in the file have the external id ${JSON.stringify(rec.externalId)}.`);
    byExt.set(rec.externalId, rec.id);
  }
  if (byExt.size === 0 || !SCOPE_ID_RE.test(scope.userId)) return;
  const existing = await env.mnemo.store.findEpisodes(scope, { externalIds: [...byExt.keys()], hashes: [] });
  const clash = existing.find((e) => e.externalId !== null && byExt.get(e.externalId) !== e.id);
  if (clash) {
    throw new MnemoError("CONFLICT", `User ${JSON.stringify(scope.userId)} already has a message with the external id ${JSON.stringify(clash.externalId)}.`, {
      hint: "Import into a user that does not have these messages yet, or erase the user first.",
    });
  }
}

function headerUser(jsonl: string): string | undefined {
  const first = jsonl.split("\n").find((l) => l.trim() !== "");
  if (first === undefined) return undefined;
  try {
    const h = JSON.parse(first) as { userId?: unknown };
    return typeof h.userId === "string" ? h.userId : undefined;
  } catch {
    return undefined;
  }
}

const importRoute = defineRoute({
  method: "post",
  path: "/v1/import",
  operationId: "importJsonl",
  summary: "Import JSONL made by export",
  description: "Records are re-scoped to the key's tenant (and to ?userId= when given), with ids of that scope. Every line is validated like a write before anything is written; `instruction` memories need ?allowInstructions=true and the admin scope. Edited memories get a history version; re-importing the same file changes nothing. The body limit is the server's import limit (default 64 MiB), not the general one.",
  tags: ["users"],
  scope: "write",
  body: ImportBodySchema,
  bodyKind: "ndjson",
  query: ImportQuerySchema,
  response: { schema: CountsSchema, description: "What was imported." },
  idempotent: true,
  errors: [400, 409, 413, 415, 422],
  async handler({ body, query }, env) {
    const tenant = env.principal.tenant;
    const userId = query.userId ?? headerUser(body);
    const allowInstructions = query.allowInstructions === "true";
    if (allowInstructions && !env.principal.scopes.includes("admin")) throw new MnemoError("FORBIDDEN", "allowInstructions needs the admin scope.");
    const counts = await env.write(async () => {
      if (userId !== undefined) await checkExternalIds(env, body, { tenant, userId });
      return env.mnemo.import(body, { tenant, userId: query.userId }, { allowInstructions });
    }, query.userId);
    return { kind: "json", body: counts, userId: userId ?? null, writes: { episodes_imported: counts.episodes, memories_imported: counts.memories } };
  },
});

/**
 * The `/v1/users` and `/v1/import` routes: erase, export, import.
 *
 * @example
 * ```ts
 * const paths = userRoutes.map((r) => r.meta.path);
 * ```
 */
export const userRoutes: Route[] = [eraseRoute, exportRoute, importRoute];
