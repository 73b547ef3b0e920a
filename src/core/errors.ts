/**
 * The one error table of Mnemo: every failure a caller can see has a stable
 * `code`, a message and a hint that says how to fix it. The HTTP server maps
 * codes to statuses (`httpStatus`), the CLI maps them to exit codes.
 *
 * @example
 * ```ts
 * try { await mnemo.recall("", { userId: "u1" }); }
 * catch (e) { if (e instanceof MnemoError && e.code === "INVALID_INPUT") console.error(e.hint); }
 * ```
 */
export const ERROR_TABLE = {
  INVALID_INPUT: { status: 400, message: "The input is not valid.", hint: "Check the field named in the message against the documented shape." },
  INVALID_JSON: { status: 400, message: "The input is not valid JSON.", hint: "Validate the file or body with a JSON linter; JSONL needs one object per line." },
  INVALID_DATE: { status: 400, message: "A date could not be understood.", hint: "Use ISO 8601 (2023-05-08T13:56:00Z) or a LoCoMo-style date such as '1:56 pm on 8 May, 2023'." },
  INVALID_SCOPE: { status: 400, message: "The scope is not valid.", hint: "Pass a non-empty userId (1-200 characters of letters, digits, '-', '_', '.', ':', '@'); the scope comes from arguments, never from metadata." },
  INVALID_CONFIG: { status: 400, message: "The configuration is not valid.", hint: "See docs/CONFIG in the README for the accepted options." },
  PAYLOAD_TOO_LARGE: { status: 413, message: "The input is too large.", hint: "Split the message or raise maxMessageChars in the options." },
  NOT_FOUND: { status: 404, message: "Nothing with that id exists in this scope.", hint: "List ids with `mnemo memories list --user <id>`." },
  UNKNOWN_USER: { status: 404, message: "That user has no data in this store.", hint: "Check the --user value with `mnemo stats --json`, or import data first." },
  CONFLICT: { status: 409, message: "The request conflicts with the current state.", hint: "Re-read the record and retry." },
  EMBEDDER_MISMATCH: { status: 409, message: "The stored vectors were made by a different embedder.", hint: "Run `mnemo reembed` to rebuild vectors with the configured embedder, or configure the embedder the store was built with." },
  SCHEMA_MISMATCH: { status: 500, message: "The database schema version is not supported by this version of Mnemo.", hint: "Upgrade Mnemo to open a database made by a newer version; older databases are migrated automatically." },
  PROVIDER_ERROR: { status: 502, message: "The model provider failed.", hint: "Check the provider's base URL, API key and model name; local servers must be running." },
  PROVIDER_OUTPUT: { status: 502, message: "The model's output could not be understood, even after repair and one retry.", hint: "Use a stronger model or the offline extractor (extractor: 'offline')." },
  STORE_ERROR: { status: 500, message: "The store failed.", hint: "Check the database path is writable and not used by an incompatible process." },
  CLOSED: { status: 503, message: "This Mnemo instance is closed.", hint: "Create a new instance with Mnemo.open()." },
  // HTTP layer (mnemo serve)
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
 * A stable error code from {@link ERROR_TABLE}.
 *
 * @example
 * ```ts
 * const code: ErrorCode = "NOT_FOUND";
 * ERROR_TABLE[code].status; // 404
 * ```
 */
export type ErrorCode = keyof typeof ERROR_TABLE;

/**
 * The single error class thrown by Mnemo.
 *
 * @example
 * ```ts
 * throw new MnemoError("INVALID_INPUT", "messages[0].content must be a string");
 * ```
 */
export class MnemoError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, options?: { hint?: string; details?: Record<string, unknown>; cause?: unknown }) {
    const entry = ERROR_TABLE[code];
    super(message ? `${entry.message} ${message}` : entry.message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = "MnemoError";
    this.code = code;
    this.hint = options?.hint ?? entry.hint;
    this.details = options?.details;
  }

  /** HTTP status for this error's code. */
  get httpStatus(): number {
    return ERROR_TABLE[this.code].status;
  }

  /** The JSON shape used by the CLI and HTTP API: `{ code, message, hint }`. */
  toJSON(): { code: ErrorCode; message: string; hint: string } {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

/**
 * True when `e` is a {@link MnemoError}, optionally with the given code.
 *
 * @example
 * ```ts
 * try { await mnemo.memory("mem_x"); }
 * catch (e) { if (isMnemoError(e, "NOT_FOUND")) console.error(e.hint); }
 * ```
 */
export function isMnemoError(e: unknown, code?: ErrorCode): e is MnemoError {
  return e instanceof MnemoError && (code === undefined || e.code === code);
}
