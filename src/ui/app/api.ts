/**
 * The inspector's HTTP client: same-origin fetch with the API key (when there is one),
 * JSON in and out, and the API's error shape turned into {@link ApiFailure}.
 */

/** An API error: status, stable code, message and hint. */
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

/** The key kept for this browser tab (sessionStorage), or null. */
export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

/** Keeps (or clears, with null) the key for this tab. */
export function storeKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(KEY_STORAGE);
    else sessionStorage.setItem(KEY_STORAGE, key);
  } catch {
    /* private mode: the key lives in memory only */
  }
}

let currentKey: string | null = storedKey();

/** Sets the key used by {@link api}. */
export function useKey(key: string | null): void {
  currentKey = key;
}

/** Calls the API; resolves to the parsed JSON body or throws {@link ApiFailure}. */
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
    const err = (json as { error?: { code?: string; message?: string; hint?: string } } | null)?.error;
    throw new ApiFailure(res.status, err?.code ?? "HTTP_" + res.status, err?.message ?? res.statusText, err?.hint ?? "");
  }
  return json as T;
}

/** Encodes a path segment. */
export const seg = encodeURIComponent;

/** A query string from defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : "";
}
