import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Extractor } from "../src/ingest/extract/types.js";
import { MnemoClient, MnemoClientError } from "../src/client/index.js";
import { startServer } from "../src/server/main.js";
import { createTestApp, tempDir, type TestApp } from "./support/server-harness.js";
import http from "node:http";
import { join } from "node:path";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (e) {
    if (e instanceof MnemoClientError) return `${e.status} ${e.code}`;
    throw e;
  }
}

describe("HTTP API: routes through the typed client", () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = t.key("acme", "read,write,admin");
  });
  afterAll(() => t.close());

  it("remembers, recalls, lists, reads, patches, forgets, exports, imports and erases", async () => {
    const c = t.client(admin);
    const r = await c.remember({
      userId: "caroline",
      sessionId: "s1",
      messages: [
        { id: "d1", speaker: "Caroline", content: "I moved to Boston last month with my dog Rex.", occurredAt: "2023-05-08T13:56:00Z" },
        { id: "d2", role: "user", content: "I love hiking in the mountains.", occurredAt: "2023-05-08T13:57:00Z" },
      ],
    });
    expect(r.episodes.added).toBe(2);
    expect(r.memories.added).toBeGreaterThan(0);
    const again = await c.remember({ userId: "caroline", messages: [{ id: "d1", speaker: "Caroline", content: "I moved to Boston last month with my dog Rex." }] });
    expect(again.episodes).toMatchObject({ added: 0, duplicates: 1 });

    const rec = await c.recall({ userId: "caroline", query: "Where did Caroline move to?", budgetTokens: 300 });
    expect(rec.context).toContain("Boston");
    expect(rec.contextTokens).toBeGreaterThan(0);
    expect(Object.keys(rec.results[0]!).sort()).toEqual(["id", "kind", "occurredAt", "score", "sensitivity", "source", "sources", "text", "trust", "type"]);
    expect(rec.context).not.toContain("(d1)");
    const cited = await c.recall({ userId: "caroline", query: "Where did Caroline move to?", budgetTokens: 300, citeSources: true });
    expect(cited.context).toContain("(d1)");

    const page = await c.listMemories({ userId: "caroline" });
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items[0]).not.toHaveProperty("tenant");
    const m = page.items.find((x) => x.text.includes("Boston"))!;
    expect((await c.getMemory(m.id)).id).toBe(m.id);

    const patched = await c.updateMemory(m.id, { text: "Caroline lives in Boston.", importance: 0.9 });
    expect(patched).toMatchObject({ text: "Caroline lives in Boston.", importance: 0.9, version: m.version + 1 });
    const hist = await c.history(m.id);
    expect(hist.map((h) => h.op)).toEqual(expect.arrayContaining(["add", "patch"]));

    const gone = await c.forget(m.id);
    expect(gone.forgottenAt).not.toBeNull();
    expect((await c.listMemories({ userId: "caroline" })).items.map((x) => x.id)).not.toContain(m.id);

    const jsonl = await c.exportUser("caroline");
    expect(jsonl.split("\n")[0]).toContain('"mnemo-export"');
    expect(await c.importJsonl(jsonl)).toMatchObject({ episodes: 0 });
    // Into another user the file is copied with ids of that user's own.
    expect((await c.importJsonl(jsonl, { userId: "someone-else" })).episodes).toBe(2);
    const copied = (await c.listMemories({ userId: "someone-else" })).items.map((x) => x.id);
    expect(copied.length).toBeGreaterThan(0);
    expect(copied).not.toContain(m.id);

    const erased = await c.eraseUser("caroline");
    expect(erased.episodes).toBe(2);
    expect(await codeOf(c.exportUser("caroline"))).toBe("404 UNKNOWN_USER");
    expect(await codeOf(c.getMemory(m.id))).toBe("404 NOT_FOUND");
    // A user that already has a message with one of the file's external ids: 409, not a 500.
    await c.remember({ userId: "dup", messages: [{ id: "d1", content: "Another message that happens to have id d1." }] });
    expect(await codeOf(c.importJsonl(jsonl, { userId: "dup" }))).toBe("409 CONFLICT");
    // After erase the file can be imported back.
    expect((await c.importJsonl(jsonl)).episodes).toBe(2);
    expect((await c.health()).status).toBe("ok");
  });

  it("paginates with cursors and filters by kind", async () => {
    const c = t.client(admin);
    const messages = Array.from({ length: 12 }, (_, i) => ({ id: `p${i}`, role: "user", content: `I bought a new ${["red", "blue", "green"][i % 3]} bicycle number ${i} in Paris.` }));
    await c.remember({ userId: "pager", messages });
    const all = await c.listMemories({ userId: "pager", limit: 1000 });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const p = await c.listMemories({ userId: "pager", limit: 2, cursor });
      expect(p.items.length).toBeLessThanOrEqual(2);
      seen.push(...p.items.map((x) => x.id));
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    expect(seen).toEqual(all.items.map((x) => x.id));
    const kinds = [...new Set(all.items.map((x) => x.kind))];
    const one = await c.listMemories({ userId: "pager", kind: kinds[0]!, limit: 1000 });
    expect(one.items.every((x) => x.kind === kinds[0])).toBe(true);
  });

  it("authenticates by key: 401 without or with a bad/revoked key, 403 without the scope", async () => {
    const noKey = await t.request("/v1/memories?userId=u");
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get("www-authenticate")).toContain("Bearer");
    expect(await noKey.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    expect((await t.request("/v1/memories?userId=u", { headers: { authorization: "Basic abc" } })).status).toBe(401);
    expect((await t.request("/v1/memories?userId=u", { key: "mnemo_0123456789abcdef_" + "A".repeat(43) })).status).toBe(401);
    const { key, info } = t.keys.create({ tenant: "acme", scopes: ["read"] });
    expect((await t.request("/v1/memories?userId=u", { key })).status).toBe(200);
    expect(await codeOf(t.client(key).remember({ userId: "u", messages: [{ content: "x" }] }))).toBe("403 FORBIDDEN");
    const writer = t.key("acme", "read,write");
    expect(await codeOf(t.client(writer).eraseUser("u"))).toBe("403 FORBIDDEN");
    t.keys.revoke(info.id);
    expect((await t.request("/v1/memories?userId=u", { key })).status).toBe(401);
    expect(t.keys.list({ tenant: "acme" }).find((k) => k.id === info.id)?.revokedAt).not.toBeNull();
  });

  it("takes the tenant from the key only: tenant fields in body or query are rejected", async () => {
    const body = JSON.stringify({ userId: "u", tenant: "other", messages: [{ content: "hello" }] });
    const r = await t.request("/v1/remember", { method: "POST", key: admin, headers: { "content-type": "application/json" }, body });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toContain("tenant");
    expect((await t.request("/v1/memories?userId=u&tenant=other", { key: admin })).status).toBe(400);
  });

  it("replays writes by Idempotency-Key and refuses a key reused for another request", async () => {
    const h = { "content-type": "application/json", "idempotency-key": "idem-1" };
    const body = JSON.stringify({ userId: "idem", messages: [{ content: "I adopted a cat named Miso." }] });
    const a = await t.request("/v1/remember", { method: "POST", key: admin, headers: h, body });
    const b = await t.request("/v1/remember", { method: "POST", key: admin, headers: h, body });
    expect(a.status).toBe(200);
    expect(b.headers.get("idempotent-replayed")).toBe("true");
    expect(await b.text()).toBe(await a.text());
    const other = JSON.stringify({ userId: "idem", messages: [{ content: "Something else." }] });
    const c = await t.request("/v1/remember", { method: "POST", key: admin, headers: h, body: other });
    expect(c.status).toBe(422);
    expect(await c.json()).toMatchObject({ error: { code: "IDEMPOTENCY_MISMATCH" } });
    // Keys are per tenant: another tenant may use the same key string.
    const d = await t.request("/v1/remember", { method: "POST", key: t.key("other-tenant"), headers: h, body });
    expect(d.headers.get("idempotent-replayed")).toBeNull();
  });

  it("returns typed errors for unknown routes and methods, and echoes x-request-id", async () => {
    const a = await t.request("/v1/nothing", { key: admin, headers: { "x-request-id": "abc-123" } });
    expect(a.status).toBe(404);
    expect(a.headers.get("x-request-id")).toBe("abc-123");
    expect(await a.json()).toMatchObject({ error: { code: "ROUTE_NOT_FOUND" } });
    const b = await t.request("/v1/remember", { method: "GET", key: admin });
    expect(b.status).toBe(405);
    expect(b.headers.get("allow")).toBe("POST");
    expect(b.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves health, readiness, metrics and docs", async () => {
    expect(await (await t.request("/healthz")).json()).toEqual({ status: "ok" });
    expect(await (await t.request("/readyz")).json()).toEqual({ status: "ready" });
    const metrics = await (await t.request("/metrics")).text();
    expect(metrics).toMatch(/mnemo_http_requests_total\{method="POST",route="\/v1\/remember",status="200"\} \d+/);
    expect(metrics).toMatch(/mnemo_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/recall"\}|route="\/v1\/remember"/);
    expect(metrics).toMatch(/mnemo_writes_total\{op="episodes_added"\} \d+/);
    expect(metrics).toMatch(/mnemo_store_bytes \d+/);
    const docs = await (await t.request("/docs")).text();
    for (const p of ["/v1/remember", "/v1/recall", "/v1/memories/{id}/history", "/v1/import"]) expect(docs).toContain(p);
  });
});

describe("HTTP API: limits", () => {
  it("rate-limits per key with Retry-After", async () => {
    const t = await createTestApp({ rateLimit: { rate: 1, burst: 2 } });
    try {
      const k1 = t.key("a");
      const k2 = t.key("a");
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await t.request("/v1/memories?userId=u", { key: k1 })).status);
      expect(statuses).toEqual([200, 200, 429]);
      const r = await t.request("/v1/memories?userId=u", { key: k1 });
      expect(r.headers.get("retry-after")).toBe("1");
      expect(await r.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });
      expect((await t.request("/v1/memories?userId=u", { key: k2 })).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it("times out slow requests with 503 + Retry-After, and the retry with the same key neither fails nor duplicates", async () => {
    const slow: Extractor = { id: "slow", extract: async () => (await sleep(400), []) };
    const t = await createTestApp({ requestTimeoutMs: 150, mnemoOptions: { extractor: slow } });
    try {
      const key = t.key("a");
      const body = JSON.stringify({ userId: "u", messages: [{ content: "A slow message." }] });
      const h = { "content-type": "application/json", "idempotency-key": "slow-1" };
      const first = await t.request("/v1/remember", { method: "POST", key, headers: h, body });
      expect(first.status).toBe(503);
      expect(first.headers.get("retry-after")).toBe("1");
      expect(await first.json()).toMatchObject({ error: { code: "TIMEOUT" } });
      const retry = await t.client(key, 5).remember({ userId: "u", messages: [{ content: "A slow message." }] }, { idempotencyKey: "slow-1" });
      expect(retry.episodes.added).toBe(1);
      expect((await t.mnemo.stats({ tenant: "a", userId: "u" })).episodes).toBe(1);
    } finally {
      await t.close();
    }
  });
});

describe("HTTP API: real server", () => {
  it("refuses --no-auth off loopback, and serves tenant 'default' without keys on loopback", async () => {
    const { dir, cleanup } = tempDir();
    try {
      await expect(startServer({ port: 0, host: "0.0.0.0", auth: false, db: join(dir, "a.db"), logLevel: "silent" })).rejects.toMatchObject({ code: "INVALID_CONFIG" });
      const s = await startServer({ port: 0, auth: false, db: join(dir, "b.db"), logLevel: "silent" });
      const c = new MnemoClient({ baseUrl: s.url });
      await c.remember({ userId: "u", messages: [{ content: "No keys here." }] });
      expect((await c.listMemories({ userId: "u" })).items.length).toBeGreaterThanOrEqual(0);
      // A web page (cross-site Origin) or a rebinding DNS name cannot use a keyless server.
      const fromPage = await fetch(`${s.url}/v1/memories?userId=u`, { headers: { origin: "https://evil.example" } });
      expect(fromPage.status).toBe(403);
      const rebound = await new Promise<number>((resolve, reject) => {
        const u = new URL(`${s.url}/v1/memories?userId=u`);
        http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: { host: `evil.example:${u.port}` } }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on("error", reject);
      });
      expect(rebound).toBe(403);
      // Regression (#11 item 10): another localhost origin (another dev server's page) is another site.
      expect((await fetch(`${s.url}/v1/memories?userId=u`, { headers: { origin: "http://localhost:3000" } })).status).toBe(403);
      expect((await fetch(`${s.url}/v1/memories?userId=u`, { headers: { origin: "null" } })).status).toBe(403);
      expect((await fetch(`${s.url}/v1/memories?userId=u`, { headers: { origin: new URL(s.url).origin } })).status).toBe(200);
      await s.close();
    } finally {
      cleanup();
    }
  });

  it("drains in-flight requests on close, then stops accepting", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const slow: Extractor = { id: "slow", extract: async () => (await sleep(300), []) };
      const s = await startServer({ port: 0, auth: false, db: join(dir, "m.db"), logLevel: "silent", mnemoOptions: { extractor: slow } });
      const c = new MnemoClient({ baseUrl: s.url, retries: 0 });
      const inflight = c.remember({ userId: "u", messages: [{ content: "Written while shutting down." }] });
      await sleep(150);
      const closing = s.close();
      expect((await inflight).episodes.added).toBe(1);
      await closing;
      expect(await codeOf(c.health())).toBe("0 NETWORK_ERROR");
    } finally {
      cleanup();
    }
  });

  it("rejects bodies over the limit with 413 over a real socket", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const s = await startServer({ port: 0, auth: false, db: join(dir, "m.db"), logLevel: "silent", bodyLimitBytes: 64 * 1024 });
      const big = JSON.stringify({ userId: "u", messages: [{ content: "x".repeat(100 * 1024) }] });
      const r = await fetch(`${s.url}/v1/remember`, { method: "POST", headers: { "content-type": "application/json" }, body: big });
      expect(r.status).toBe(413);
      expect(await r.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
      await s.close();
    } finally {
      cleanup();
    }
  });
});
