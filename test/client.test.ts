import { describe, expect, it } from "vitest";
import { MnemoClient, MnemoClientError, type FetchLike } from "../src/client/index.js";

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function scripted(replies: Array<Response | Error>): { fetch: FetchLike; seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    seen,
    fetch: async (url, init) => {
      seen.push({ url, method: String(init.method), headers: Object.fromEntries(new Headers(init.headers).entries()), body: init.body as string | undefined });
      const next = replies.shift();
      if (!next) throw new Error("no more replies");
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const err = (status: number, code: string, headers: Record<string, string> = {}) => json(status, { error: { code, message: `msg ${code}`, hint: `hint ${code}` } }, headers);
const OK = { episodes: { added: 1, duplicates: 0, ids: ["ep_1"] }, memories: { added: 1, updated: 0, invalidated: 0, unchanged: 0 } };

describe("MnemoClient", () => {
  it("sends the key, JSON and an Idempotency-Key that stays the same across retries", async () => {
    const s = scripted([new TypeError("fetch failed"), err(503, "TIMEOUT", { "retry-after": "0" }), err(429, "RATE_LIMITED", { "retry-after": "0" }), json(200, OK)]);
    const c = new MnemoClient({ baseUrl: "http://h:1/", apiKey: "k", fetch: s.fetch, retries: 3, maxBackoffMs: 5 });
    expect(await c.remember({ userId: "u", messages: [{ content: "hi" }] })).toEqual(OK);
    expect(s.seen).toHaveLength(4);
    expect(s.seen[0]!.url).toBe("http://h:1/v1/remember");
    expect(s.seen[0]!.headers.authorization).toBe("Bearer k");
    expect(s.seen[0]!.headers["content-type"]).toBe("application/json");
    const keys = new Set(s.seen.map((x) => x.headers["idempotency-key"]));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("throws typed errors with the server's code, hint and request id, without retrying 4xx", async () => {
    const s = scripted([err(404, "NOT_FOUND", { "x-request-id": "r-1" })]);
    const c = new MnemoClient({ baseUrl: "http://h", fetch: s.fetch, retries: 3 });
    const e = await c.getMemory("mem_x").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MnemoClientError);
    expect(e).toMatchObject({ code: "NOT_FOUND", status: 404, hint: "hint NOT_FOUND", requestId: "r-1" });
    expect(s.seen).toHaveLength(1);
  });

  it("retries a 409 only when the server says when (an in-flight Idempotency-Key)", async () => {
    const a = scripted([err(409, "CONFLICT", { "retry-after": "0" }), json(200, OK)]);
    await new MnemoClient({ baseUrl: "http://h", fetch: a.fetch, maxBackoffMs: 1 }).remember({ userId: "u", messages: [{ content: "x" }] });
    expect(a.seen).toHaveLength(2);
    const b = scripted([err(409, "CONFLICT")]);
    await expect(new MnemoClient({ baseUrl: "http://h", fetch: b.fetch }).importJsonl("{}")).rejects.toMatchObject({ code: "CONFLICT" });
    expect(b.seen).toHaveLength(1);
  });

  it("gives up after the retries with NETWORK_ERROR or the last error", async () => {
    const s = scripted([new TypeError("down"), new TypeError("down")]);
    await expect(new MnemoClient({ baseUrl: "http://h", fetch: s.fetch, retries: 1, maxBackoffMs: 1 }).health()).rejects.toMatchObject({ code: "NETWORK_ERROR", status: 0 });
    const t = scripted([err(503, "UNAVAILABLE", { "retry-after": "0" })]);
    await expect(new MnemoClient({ baseUrl: "http://h", fetch: t.fetch, retries: 0 }).health()).rejects.toMatchObject({ code: "UNAVAILABLE", retryAfter: 0 });
  });

  it("maps non-JSON error bodies to HTTP_<status>", async () => {
    const s = scripted([new Response("<html>bad gateway</html>", { status: 418 })]);
    await expect(new MnemoClient({ baseUrl: "http://h", fetch: s.fetch }).health()).rejects.toMatchObject({ code: "HTTP_418", status: 418 });
  });

  it("builds query strings and paths", async () => {
    const s = scripted([json(200, { items: [], nextCursor: null }), json(200, { items: [] }), json(200, {}), new Response("a\nb\n", { status: 200 }), json(200, {})]);
    const c = new MnemoClient({ baseUrl: "http://h", fetch: s.fetch });
    await c.listMemories({ userId: "a b", kind: ["fact", "event"], limit: 5, includeInvalidated: true });
    expect(s.seen[0]!.url).toBe("http://h/v1/memories?userId=a+b&kind=fact%2Cevent&limit=5&includeInvalidated=true");
    expect(await c.history("mem/1")).toEqual([]);
    expect(s.seen[1]!.url).toBe("http://h/v1/memories/mem%2F1/history");
    await c.updateMemory("m1", { text: "t" }, { userId: "u", idempotencyKey: "mine" });
    expect(s.seen[2]).toMatchObject({ method: "PATCH", url: "http://h/v1/memories/m1?userId=u", body: '{"text":"t"}' });
    expect(s.seen[2]!.headers["idempotency-key"]).toBe("mine");
    expect(await c.exportUser("u")).toBe("a\nb\n");
    await c.importJsonl("{}\n", { userId: "v" });
    expect(s.seen[4]).toMatchObject({ method: "POST", url: "http://h/v1/import?userId=v" });
    expect(s.seen[4]!.headers["content-type"]).toBe("application/x-ndjson");
  });
});
