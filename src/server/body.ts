import { MnemoError } from "../core/errors.js";
import { ApiError } from "./errors.js";

/**
 * Reads a request body up to `limit` bytes. A larger body (by Content-Length or by the
 * bytes actually sent) is PAYLOAD_TOO_LARGE (413) without reading the rest.
 *
 * @example
 * ```ts
 * const bytes = await readBodyBytes(request, 1 << 20);
 * ```
 */
export async function readBodyBytes(req: Request, limit: number): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) {
    throw new MnemoError("PAYLOAD_TOO_LARGE", `The body has ${declared} bytes; the limit is ${limit}.`, { hint: "Send smaller batches, or start the server with a larger --body-limit." });
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Drain (and drop) a bounded amount more, so that a client still streaming a chunked body
      // reads our 413 instead of a reset connection.
      const deadline = Date.now() + 2_000;
      let extra = 0;
      while (extra < 64 * 1024 * 1024 && Date.now() < deadline) {
        const next = await reader.read();
        if (next.done) break;
        extra += next.value.byteLength;
      }
      await reader.cancel().catch(() => undefined);
      throw new MnemoError("PAYLOAD_TOO_LARGE", `The body is larger than the limit of ${limit} bytes.`, { hint: "Send smaller batches, or start the server with a larger --body-limit." });
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) (out.set(c, o), (o += c.byteLength));
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Decodes UTF-8 strictly: invalid byte sequences are INVALID_INPUT (400), never replaced.
 *
 * @example
 * ```ts
 * decodeUtf8(new Uint8Array([0x68, 0x69])); // "hi"
 * ```
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new MnemoError("INVALID_INPUT", "The body is not valid UTF-8.", { hint: "Encode the body as UTF-8." });
  }
}

/**
 * Parses a JSON body; errors are INVALID_JSON (400) with the parser's message.
 *
 * @example
 * ```ts
 * parseJsonBody('{"a":1}'); // { a: 1 }
 * ```
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === "") throw new MnemoError("INVALID_JSON", "The body is empty.");
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new MnemoError("INVALID_JSON", (e as Error).message);
  }
}

/** Media types accepted for each body kind. */
const MEDIA: Record<"json" | "ndjson", RegExp> = {
  json: /^application\/([a-z0-9.+-]*\+)?json$/,
  ndjson: /^(application\/(x-ndjson|ndjson|jsonl|x-jsonlines|jsonlines)|text\/plain)$/,
};

/**
 * Checks Content-Type against the kind of body a route takes (415 otherwise). A missing
 * Content-Type is accepted for JSON (curl -d sends form type, which is refused).
 *
 * @example
 * ```ts
 * checkContentType(request.headers.get("content-type"), "json");
 * ```
 */
export function checkContentType(header: string | null, kind: "json" | "ndjson"): void {
  if (header === null || header.trim() === "") return;
  const [type, ...params] = header.split(";").map((s) => s.trim().toLowerCase());
  if (!MEDIA[kind].test(type ?? "")) {
    throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `Got ${JSON.stringify(header.slice(0, 100))}; this route takes ${kind === "json" ? "application/json" : "application/x-ndjson"}.`);
  }
  const charset = params.find((p) => p.startsWith("charset="))?.slice(8).replace(/"/g, "");
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `charset ${JSON.stringify(charset)} is not supported; use utf-8.`);
}
