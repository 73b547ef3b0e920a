/**
 * Issue #11 on the HTTP path: forget and delete-message (item 2), erase and Idempotency-Key
 * records (item 3), write-only keys (item 5), /metrics (item 6), repeated messages (item 7),
 * readiness on a store that cannot write (item 9), idempotency fingerprints and large
 * imports (item 10).
 */
import type Database from "better-sqlite3";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestApp, type TestApp } from "./support/server-harness.js";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const json = (body: unknown, key: string, extra: Record<string, string> = {}) => ({ method: "POST", key, headers: { "content-type": "application/json", ...extra }, body: JSON.stringify(body) });
// Credentials are redacted before storage (docs/SECURITY.md), so the secret here is a locker number, not a PIN.
const PIN = "7305";

describe("item 2: forget and delete over HTTP", () => {
  it("regression: after DELETE of every memory holding a PIN, recall does not return the message verbatim", async () => {
    const c = t.client(t.key("pin-co"));
    await c.remember({ userId: "u", messages: [{ role: "user", content: `My locker number is ${PIN}.` }, { role: "user", content: "I enjoy rowing." }] });
    for (const m of (await c.listMemories({ userId: "u", limit: 100 })).items) if (m.text.includes(PIN)) await c.forget(m.id, { userId: "u" });
    const r = await c.recall({ userId: "u", query: "What is my locker number?", budgetTokens: 2000 });
    expect(JSON.stringify(r)).not.toContain(PIN);
  });

  it("DELETE /v1/episodes/{id} deletes one message; another user's or tenant's is 404", async () => {
    const c = t.client(t.key("del-co"));
    await c.remember({ userId: "u", messages: [{ id: "secret", role: "user", content: `The alarm panel number is ${PIN}.` }, { id: "kite", role: "user", content: "I fly kites." }] });
    expect((await c.recall({ userId: "u", query: "alarm panel number", budgetTokens: 2000 })).context).toContain(PIN);
    const other = await t.request(`/v1/episodes/secret?userId=u`, { method: "DELETE", key: t.key("other-co") });
    expect(other.status).toBe(404);
    expect((await t.request(`/v1/episodes/secret?userId=v`, { method: "DELETE", key: t.key("del-co") })).status).toBe(404);
    expect((await t.request(`/v1/episodes/secret`, { method: "DELETE", key: t.key("del-co") })).status).toBe(400);
    const r = await c.deleteEpisode("secret", { userId: "u" });
    expect(r.memoriesDeleted).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(await c.recall({ userId: "u", query: "alarm panel number", budgetTokens: 2000 }))).not.toContain(PIN);
    expect(await c.exportUser("u")).not.toContain(PIN);
  });
});

describe("item 3: erase and saved Idempotency-Key responses", () => {
  it("regression: after erase, a late retry of an old key neither replays erased content nor recreates the user", async () => {
    const key = t.key("idem-co");
    const body = { userId: "gone", messages: [{ role: "user", content: `My locker code is ${PIN}.` }] };
    const first = await t.request("/v1/remember", json(body, key, { "idempotency-key": "k-late" }));
    expect(first.status).toBe(200);
    const m = (await t.client(key).listMemories({ userId: "gone" })).items[0]!;
    const patched = await t.request(`/v1/memories/${m.id}`, { method: "PATCH", key, headers: { "content-type": "application/json", "idempotency-key": "k-patch" }, body: JSON.stringify({ text: `Locker ${PIN}` }) });
    expect(await patched.text()).toContain(PIN);
    // Erased through the library (what `mnemo erase` does), not the HTTP route.
    await t.mnemo.erase({ tenant: "idem-co", userId: "gone" });
    for (const [path, init] of [
      ["/v1/remember", json(body, key, { "idempotency-key": "k-late" })],
      [`/v1/memories/${m.id}`, { method: "PATCH", key, headers: { "content-type": "application/json", "idempotency-key": "k-patch" }, body: JSON.stringify({ text: `Locker ${PIN}` }) }],
    ] as const) {
      const retry = await t.request(path, init);
      const text = await retry.text();
      expect(retry.status, text).toBe(409);
      expect(text).not.toContain(PIN);
    }
    expect(await t.mnemo.users("idem-co")).toEqual([]);
    expect(readFileSync(t.dbPath).includes(Buffer.from(`locker code is ${PIN}`))).toBe(false);
  });

  it("the same after an HTTP erase", async () => {
    const key = t.key("idem2-co");
    const body = { userId: "gone", messages: [{ role: "user", content: "I keep bees." }] };
    expect((await t.request("/v1/remember", json(body, key, { "idempotency-key": "k1" }))).status).toBe(200);
    expect((await t.request("/v1/users/gone", { method: "DELETE", key })).status).toBe(200);
    expect((await t.request("/v1/remember", json(body, key, { "idempotency-key": "k1" }))).status).toBe(409);
    expect(await t.mnemo.users("idem2-co")).toEqual([]);
  });
});

describe("item 5: a write-only key does not read", () => {
  it("regression: PATCH and DELETE answer a write-only key without the memory's content", async () => {
    const admin = t.key("wo-co");
    const writer = t.key("wo-co", "write");
    await t.client(admin).remember({ userId: "u", messages: [{ role: "user", content: `My passport number is X${PIN}.` }] });
    const m = (await t.client(admin).listMemories({ userId: "u" })).items.find((x) => x.text.includes(PIN))!;
    const patch = await t.request(`/v1/memories/${m.id}`, { method: "PATCH", key: writer, headers: { "content-type": "application/json" }, body: JSON.stringify({ importance: 0.9 }) });
    const patchText = await patch.text();
    expect(patch.status).toBe(200);
    expect(patchText).not.toContain(PIN);
    expect(JSON.parse(patchText)).toMatchObject({ id: m.id, userId: "u" });
    const del = await t.request(`/v1/memories/${m.id}`, { method: "DELETE", key: writer });
    expect(await del.text()).not.toContain(PIN);
    // A key with read still gets the whole memory; a replay never shows more than a fresh answer.
    const key2 = "k-view";
    const rw = t.key("wo-co", "read,write");
    const full = await t.request(`/v1/memories/${m.id}`, { method: "PATCH", key: rw, headers: { "content-type": "application/json", "idempotency-key": key2 }, body: JSON.stringify({ importance: 0.8 }) });
    expect(await full.text()).toContain(PIN);
    const replay = await t.request(`/v1/memories/${m.id}`, { method: "PATCH", key: writer, headers: { "content-type": "application/json", "idempotency-key": key2 }, body: JSON.stringify({ importance: 0.8 }) });
    expect(await replay.text()).not.toContain(PIN);
  });
});

describe("item 6: /metrics is cheap and protectable", () => {
  it("regression: a scrape never counts table rows (maintained counters)", async () => {
    const c = t.client(t.key("m-co"));
    await c.remember({ userId: "u", messages: [{ content: "I play the cello." }] });
    const spy = vi.spyOn(t.mnemo.store, "stats");
    const listUsers = vi.spyOn(t.mnemo.store, "listUsers");
    try {
      const text = await (await t.request("/metrics")).text();
      expect(text).toMatch(/mnemo_writes_total\{op="episodes_added"\} \d+/);
      expect(spy).not.toHaveBeenCalled();
      expect(listUsers).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      listUsers.mockRestore();
    }
  });

  it("regression: unauthenticated scrapes are rate limited; with metricsAuth a metrics (or admin) key is required", async () => {
    const statuses = await Promise.all(Array.from({ length: 60 }, () => t.request("/metrics").then((r) => r.status)));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const p = await createTestApp({ metricsAuth: true });
    try {
      expect((await p.request("/metrics")).status).toBe(401);
      expect((await p.request("/metrics", { key: p.key("acme", "read,write") })).status).toBe(403);
      expect((await p.request("/metrics", { key: p.key("acme", "metrics") })).status).toBe(200);
      expect((await p.request("/metrics", { key: p.key("acme", "admin") })).status).toBe(200);
      // The metrics scope opens nothing else.
      expect((await p.request("/v1/memories?userId=u", { key: p.key("acme", "metrics") })).status).toBe(403);
    } finally {
      await p.close();
    }
  });
});

describe("item 7: repeated messages over HTTP", () => {
  it("regression: two identical id-less messages in one request are both stored", async () => {
    const c = t.client(t.key("rep-co"));
    const r = await c.remember({ userId: "u", messages: [{ content: "yes" }, { role: "assistant", content: "More tea?" }, { content: "yes" }] });
    expect(r.episodes.added).toBe(3);
  });
});

describe("item 9: readiness reflects writability", () => {
  it("regression: /readyz is 503 read-only while the store cannot write, and recall still answers", async () => {
    const c = t.client(t.key("ro-co"));
    await c.remember({ userId: "u", messages: [{ role: "user", content: "I grow tomatoes on my balcony." }] });
    const db = (t.mnemo.store as unknown as { db: Database.Database }).db;
    await new Promise((r) => setTimeout(r, 1100)); // past the probe's one-second cache
    db.pragma("query_only = ON");
    try {
      const ready = await t.request("/readyz");
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: "read-only" });
      expect((await c.recall({ userId: "u", query: "What do I grow?" })).context).toContain("tomatoes");
    } finally {
      db.pragma("query_only = OFF");
    }
    await new Promise((r) => setTimeout(r, 1100));
    expect((await t.request("/readyz")).status).toBe(200);
  });
});

describe("item 10: idempotency fingerprints and large imports", () => {
  it("regression: the same JSON with other key order or spacing is the same request (no IDEMPOTENCY_MISMATCH)", async () => {
    const key = t.key("fp-co");
    const a = `{"userId":"u","messages":[{"content":"I like figs.","role":"user"}]}`;
    const b = `{ "messages": [ { "role": "user", "content": "I like figs." } ], "userId": "u" }`;
    const h = { "content-type": "application/json", "idempotency-key": "fp-1" };
    const r1 = await t.request("/v1/remember", { method: "POST", key, headers: h, body: a });
    const r2 = await t.request("/v1/remember", { method: "POST", key, headers: h, body: b });
    expect(r2.status).toBe(200);
    expect(r2.headers.get("idempotent-replayed")).toBe("true");
    expect(await r2.text()).toBe(await r1.text());
    const r3 = await t.request("/v1/remember", { method: "POST", key, headers: h, body: a.replace("figs", "dates") });
    expect(r3.status).toBe(422);
  });

  it("regression: an export of 1.4 MB or more re-imports at the default limits", async () => {
    const c = t.client(t.key("big-co"));
    // Attachments (a pasted document) make the export large without slowing extraction.
    const filler = "Page of a gardening diary about soil, seeds, cooking and long walks by the river. ".repeat(600);
    for (let i = 0; i < 3; i++) {
      await c.remember({ userId: "big", messages: Array.from({ length: 10 }, (_, j) => ({ id: `m${i}-${j}`, content: `Diary page ${i}-${j}.`, attachmentText: `${i}-${j} ${filler}` })) });
    }
    const jsonl = await c.exportUser("big");
    expect(Buffer.byteLength(jsonl)).toBeGreaterThan(1.4 * 1024 * 1024);
    const res = await t.request("/v1/import?userId=big-copy", { method: "POST", key: t.key("big-co"), headers: { "content-type": "application/x-ndjson" }, body: jsonl });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { episodes: number }).episodes).toBe(30);
  });
});
