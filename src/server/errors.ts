import { ERROR_TABLE, MnemoError, type ErrorCode } from "../core/errors.js";

/**
 * Error codes that exist only at the HTTP layer, in the same shape as the core's
 * {@link ERROR_TABLE}. (They belong in the core table; see docs/SERVER.md.)
 *
 * @example
 * ```ts
 * SERVER_ERROR_TABLE.RATE_LIMITED.status; // 429
 * ```
 */
export const SERVER_ERROR_TABLE = {
  UNAUTHORIZED: { status: 401, message: "A valid API key is required.", hint: "Send `Authorization: Bearer <key>`; create a key with `mnemo keys create --tenant <name>`." },
  FORBIDDEN: { status: 403, message: "This API key may not do that.", hint: "Use a key with the scope named in the message (`mnemo keys create --scopes read,write,admin`)." },
  ROUTE_NOT_FOUND: { status: 404, message: "No such route.", hint: "See GET /docs or GET /openapi.json for the routes." },
  METHOD_NOT_ALLOWED: { status: 405, message: "This route does not accept that method.", hint: "See GET /docs for the methods of each route." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "The body has the wrong content type.", hint: "Send `Content-Type: application/json` (or application/x-ndjson for /v1/import)." },
  IDEMPOTENCY_MISMATCH: { status: 422, message: "This Idempotency-Key was already used for a different request.", hint: "Use a new Idempotency-Key for each distinct request; reuse it only to retry the same one." },
  RATE_LIMITED: { status: 429, message: "Too many requests for this API key.", hint: "Wait for the number of seconds in the Retry-After header, then retry." },
  INTERNAL: { status: 500, message: "The server failed.", hint: "Retry; if it persists, report it with the x-request-id of the response." },
  UNAVAILABLE: { status: 503, message: "The server is shutting down.", hint: "Retry against a running instance." },
  TIMEOUT: { status: 503, message: "The request took too long.", hint: "Retry later (with the same Idempotency-Key for writes), or raise the server's request timeout." },
} as const satisfies Record<string, { status: number; message: string; hint: string }>;

/**
 * A code of the HTTP API: the core's codes plus {@link SERVER_ERROR_TABLE}.
 *
 * @example
 * ```ts
 * const code: ApiErrorCode = "RATE_LIMITED";
 * ```
 */
export type ApiErrorCode = ErrorCode | keyof typeof SERVER_ERROR_TABLE;

/**
 * The JSON error body of every failed response.
 *
 * @example
 * ```ts
 * const body: ApiErrorBody = { error: { code: "NOT_FOUND", message: "…", hint: "…" } };
 * ```
 */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; hint: string };
}

/**
 * An HTTP-layer error with a code from {@link SERVER_ERROR_TABLE} (or the core's table).
 *
 * @example
 * ```ts
 * throw new ApiError("FORBIDDEN", "This route needs the write scope.");
 * ```
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  readonly hint: string;
  /** Seconds for a Retry-After header, when the client should retry. */
  readonly retryAfter: number | undefined;

  constructor(code: ApiErrorCode, message?: string, options?: { hint?: string; retryAfter?: number }) {
    const entry = code in SERVER_ERROR_TABLE ? SERVER_ERROR_TABLE[code as keyof typeof SERVER_ERROR_TABLE] : ERROR_TABLE[code as ErrorCode];
    super(message ? `${entry.message} ${message}` : entry.message);
    this.name = "ApiError";
    this.code = code;
    this.status = entry.status;
    this.hint = options?.hint ?? entry.hint;
    this.retryAfter = options?.retryAfter;
  }
}

/**
 * Maps anything thrown to a status, a JSON body and extra headers: MnemoError by its
 * `httpStatus`, ApiError by its table, anything else to 500 INTERNAL (message hidden).
 *
 * @example
 * ```ts
 * const { status, body } = toErrorResponse(new MnemoError("NOT_FOUND"));
 * // status 404, body.error.code "NOT_FOUND"
 * ```
 */
export function toErrorResponse(e: unknown): { status: number; body: ApiErrorBody; headers: Record<string, string>; internal: boolean } {
  if (e instanceof ApiError) {
    const headers: Record<string, string> = {};
    if (e.retryAfter !== undefined) headers["retry-after"] = String(Math.max(1, Math.ceil(e.retryAfter)));
    return { status: e.status, body: { error: { code: e.code, message: e.message, hint: e.hint } }, headers, internal: e.status >= 500 && e.code !== "TIMEOUT" && e.code !== "UNAVAILABLE" };
  }
  if (e instanceof MnemoError) {
    const headers: Record<string, string> = {};
    if (e.code === "CLOSED") headers["retry-after"] = "1";
    return { status: e.httpStatus, body: { error: e.toJSON() }, headers, internal: e.httpStatus >= 500 };
  }
  const entry = SERVER_ERROR_TABLE.INTERNAL;
  return { status: entry.status, body: { error: { code: "INTERNAL", message: entry.message, hint: entry.hint } }, headers: {}, internal: true };
}

/**
 * Builds the JSON error Response for anything thrown.
 *
 * @example
 * ```ts
 * return errorResponse(new ApiError("UNAUTHORIZED"), "req-1");
 * ```
 */
export function errorResponse(e: unknown, requestId?: string): Response {
  const { status, body, headers } = toErrorResponse(e);
  const h = new Headers({ "content-type": "application/json; charset=utf-8", ...headers });
  if (requestId) h.set("x-request-id", requestId);
  return new Response(JSON.stringify(body), { status, headers: h });
}
