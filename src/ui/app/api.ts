/**
 * The inspector's HTTP client: same-origin fetch with the API key (when there is one),
 * JSON in and out, and the API's error shape turned into {@link ApiFailure}.
 */

/**
 * An API error: HTTP status, the stable code, message and hint.
 *
 * @example
 * ```ts
 * try { await api("GET", "/v1/inspect/users"); } catch (e) { if (e instanceof ApiFailure) console.log(e.code); }
 * ```
 */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

const KEY_STORAGE = "mnemo.inspector.key";

/**
 * The key kept for this browser tab (sessionStorage), or null.
 *
 * @example
 * ```ts
 * const key = storedKey(); // "mnemo_…" or null
 * ```
 */
export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

/**
 * Keeps (or, with null, clears) the key for this tab.
 *
 * @example
 * ```ts
 * storeKey("mnemo_0123456789abcdef_secret");
 * ```
 */
export function storeKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(KEY_STORAGE);
    else sessionStorage.setItem(KEY_STORAGE, key);
  } catch {
    /* private mode: the key lives in memory only */
  }
}

let currentKey: string | null = storedKey();

/**
 * Sets the key that {@link api} sends by default.
 *
 * @example
 * ```ts
 * useKey(null); // log out
 * ```
 */
export function useKey(key: string | null): void {
  currentKey = key;
}

/**
 * Calls the API on this origin; resolves to the parsed JSON body or throws {@link ApiFailure}.
 *
 * @example
 * ```ts
 * const me = await api<WhoAmI>("GET", "/v1/inspect/whoami");
 * ```
 */
export async function api<T>(method: string, path: string, body?: unknown, key: string | null = currentKey): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiFailure(0, "NETWORK", `The server did not answer (${(e as Error).message}).`, "Is `mnemo serve` still running?");
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    // A key that stopped working (revoked, or the server's keys changed): the shell goes back to the login screen.
    if (res.status === 401 && key !== null && key === currentKey) dispatchEvent(new CustomEvent("mnemo:unauthorized"));
    const err = (json as { error?: { code?: string; message?: string; hint?: string } } | null)?.error;
    throw new ApiFailure(res.status, err?.code ?? "HTTP_" + res.status, err?.message ?? res.statusText, err?.hint ?? "");
  }
  return json as T;
}

/**
 * Encodes one path segment.
 *
 * @example
 * ```ts
 * api("DELETE", `/v1/users/${seg("a/b")}`);
 * ```
 */
export const seg = encodeURIComponent;

/**
 * A query string from the defined, non-empty values.
 *
 * @example
 * ```ts
 * qs({ q: "tea", kind: "", limit: 50 }); // "?q=tea&limit=50"
 * ```
 */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : "";
}
