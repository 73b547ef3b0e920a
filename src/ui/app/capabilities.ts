/**
 * Optional API features found in GET /openapi.json, so the inspector offers what this server
 * supports (e.g. deleting one message, a route newer servers have) and hides what it does not.
 */
import { api } from "./api.js";

/**
 * How to delete one message, if the server can.
 *
 * @example
 * ```ts
 * const r: DeleteEpisodeRoute = { path: "/v1/episodes/{id}", param: "id", takesUserId: true };
 * ```
 */
export interface DeleteEpisodeRoute {
  /** Path template, e.g. `/v1/episodes/{id}`. */
  path: string;
  param: string;
  /** True when the route takes `?userId=`. */
  takesUserId: boolean;
}

/**
 * Optional features of a server.
 *
 * @example
 * ```ts
 * const c: Capabilities = { deleteEpisode: null, restore: "/v1/memories/{id}/restore", recallSensitive: ["exclude", "relevant", "include"], recallQuarantined: true };
 * ```
 */
export interface Capabilities {
  deleteEpisode: DeleteEpisodeRoute | null;
  /** Path template of "undo a forget" (`POST /v1/memories/{id}/restore`), if the server has it. */
  restore: string | null;
  /** Values of the recall body's `sensitive` policy, when the server has one. */
  recallSensitive: string[] | null;
  /** True when recall takes `includeQuarantined`. */
  recallQuarantined: boolean;
}

let cached: Promise<Capabilities> | null = null;

type Schema = { $ref?: string; properties?: Record<string, { enum?: string[] }> };
type Op = { parameters?: Array<{ in?: string; name?: string }>; requestBody?: { content?: Record<string, { schema?: Schema }> } };
type Doc = { paths?: Record<string, Record<string, Op>>; components?: { schemas?: Record<string, Schema> } };

/** The properties of the JSON body of an operation (one $ref resolved). */
function bodyProperties(doc: Doc, op: Op | undefined): Record<string, { enum?: string[] }> {
  let schema = op?.requestBody?.content?.["application/json"]?.schema;
  if (schema?.$ref) schema = doc.components?.schemas?.[schema.$ref.split("/").pop() ?? ""];
  return schema?.properties ?? {};
}

/**
 * The optional features of this server, read once from GET /openapi.json.
 *
 * @example
 * ```ts
 * const { deleteEpisode } = await capabilities();
 * ```
 */
export function capabilities(): Promise<Capabilities> {
  return (cached ??= api<Doc>("GET", "/openapi.json", undefined, null).then(
    (doc) => {
      let deleteEpisode: DeleteEpisodeRoute | null = null;
      let restore: string | null = null;
      for (const [path, item] of Object.entries(doc.paths ?? {})) {
        if (/^\/v1\/memories\/\{\w+\}\/restore$/.test(path) && item.post) restore = path;
        const m = /^\/v1\/(?:episodes|messages)\/\{(\w+)\}$/.exec(path);
        const del = item.delete;
        if (!m || !del) continue;
        deleteEpisode = { path, param: m[1]!, takesUserId: (del.parameters ?? []).some((p) => p.in === "query" && p.name === "userId") };
      }
      const recall = bodyProperties(doc, doc.paths?.["/v1/inspect/recall"]?.post);
      return { deleteEpisode, restore, recallSensitive: recall.sensitive?.enum ?? null, recallQuarantined: "includeQuarantined" in recall };
    },
    () => ({ deleteEpisode: null, restore: null, recallSensitive: null, recallQuarantined: false }),
  ));
}

/**
 * The URL that deletes one message with the given route.
 *
 * @example
 * ```ts
 * deleteEpisodeUrl({ path: "/v1/episodes/{id}", param: "id", takesUserId: true }, "ep_1", "alice"); // "/v1/episodes/ep_1?userId=alice"
 * ```
 */
export function deleteEpisodeUrl(route: DeleteEpisodeRoute, id: string, userId: string): string {
  const path = route.path.replace(`{${route.param}}`, encodeURIComponent(id));
  return route.takesUserId ? `${path}?userId=${encodeURIComponent(userId)}` : path;
}
