import { ERROR_TABLE, MnemoError, type ErrorCode } from "../core/errors.js";

/**
 * A code of the HTTP API: a code of the core's one error table.
 *
 * @example
 * ```ts
 * const code: ApiErrorCode = "RATE_LIMITED";
 * ```
 */
export type ApiErrorCode = ErrorCode;

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
 * An HTTP-layer error with a code from the core's {@link ERROR_TABLE}.
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
    const entry = ERROR_TABLE[code];
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
  const entry = ERROR_TABLE.INTERNAL;
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
