/**
 * Issue #11 on the library path: forgotten content is not recalled (item 2), erase leaves
 * no idempotency record or cache (item 3), repeated messages are kept (item 7), concurrent
 * remember (item 8), recall on a read-only store (item 9), lone surrogates and re-sent ids
 * with new content (item 10).
 */
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Mnemo } from "../src/mnemo.js";
import { expectCode, exportText, openTempMnemo } from "./support/fixtures.js";

let t: { mnemo: Mnemo; path: string; cleanup: () => Promise<void> };
let clock = Date.parse("2024-03-01T12:00:00Z");
beforeEach(async () => {
  clock = Date.parse("2024-03-01T12:00:00Z");
  t = await openTempMnemo({ now: () => new Date(clock) });
});
afterEach(() => t.cleanup());
const U = { userId: "alice" };
// Credentials are redacted before storage (docs/SECURITY.md), so the secret here is a locker number, not a PIN.
const PIN = "4821";

async function rememberPin(m: Mnemo): Promise<string> {
  const r = await m.remember([{ id: "p1", role: "user", content: `My locker number is ${PIN}, please remember it.` }, { id: "h1", role: "user", content: "I love hiking in the Alps." }], U);
  return r.episodes.ids[0]!;
}

describe("item 2: forgotten content is never recalled", () => {
  it("regression: after forgetting every memory holding the PIN, recall does not return the source message verbatim", async () => {
    await rememberPin(t.mnemo);
    const holding = (await t.mnemo.memories({ ...U, limit: 100 })).items.filter((m) => m.text.includes(PIN));
    expect(holding.length).toBeGreaterThan(0);
    for (const m of holding) await t.mnemo.forget(m.id, U);
    for (const q of ["What is my locker number?", "PIN", `bank ${PIN}`, "please remember it"]) {
      const r = await t.mnemo.recall(q, { ...U, budgetTokens: 2000 });
      expect(r.context, q).not.toContain(PIN);
      expect(JSON.stringify(r.results), q).not.toContain(PIN);
    }
    // Other memories are untouched.
    expect((await t.mnemo.recall("What do I love doing?", U)).context).toContain("hiking");
  });

  it("a message can be deleted on its own: gone from recall, export and the file's rows; its only memories are forgotten", async () => {
    const ep = await rememberPin(t.mnemo);
    const r = await t.mnemo.deleteEpisode(ep, U);
    expect(r.memoriesDeleted).toBeGreaterThan(0);
    expect((await t.mnemo.recall("What is my locker number?", { ...U, budgetTokens: 2000 })).context).not.toContain(PIN);
    const exported = await exportText(t.mnemo, "alice");
    expect(exported).not.toContain(`"id":"${ep}"`);
    expect(exported).not.toContain(`My locker number`);
    expect((await t.mnemo.stats({ tenant: "default", userId: "alice" })).episodes).toBe(1);
    // By the caller's own message id too; an unknown one is NOT_FOUND; another user's is NOT_FOUND.
    await t.mnemo.deleteEpisode("h1", U);
    expect((await t.mnemo.stats({ tenant: "default", userId: "alice" })).episodes).toBe(0);
    await expectCode(t.mnemo.deleteEpisode("h1", U), "NOT_FOUND");
    await t.mnemo.remember([{ id: "b1", content: "Bob's note." }], { userId: "bob" });
    await expectCode(t.mnemo.deleteEpisode("b1", U), "NOT_FOUND");
    // The export of what is left still imports (a forgotten memory may cite a deleted message).
    const copy = await openTempMnemo();
    try {
      await copy.mnemo.import(await exportText(t.mnemo, "alice"));
      expect((await copy.mnemo.recall("What is my locker number?", { ...U, budgetTokens: 2000 })).context).not.toContain(PIN);
    } finally {
      await copy.cleanup();
    }
  });
});

describe("regression: deleting a message left profile summaries citing it (isolation property test, seed 1575346070)", () => {
  it("after deleting any one message, no memory in the export cites a message the export lacks, and the export imports", async () => {
    const msgs = [
      { id: "m1", role: "user", content: "I live in Boston and I work as a nurse." },
      { id: "m2", role: "user", content: "I work as a nurse at the children's hospital." },
      { id: "m3", role: "user", content: "My sister Lena lives in Chicago." },
      { id: "m4", role: "user", content: "I moved to Denver last month." },
    ];
    await t.mnemo.remember(msgs, U);
    const before = (await t.mnemo.memories({ ...U, limit: 100 })).items;
    // The case that failed: a message the profile summary cites.
    const victim = before.find((m) => m.kind === "summary")?.sources[0];
    expect(victim).toBeDefined();
    await t.mnemo.deleteEpisode(victim!, U);
    const lines = (await exportText(t.mnemo, "alice")).split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as { type: string; id?: string; sources?: string[] });
    const episodes = new Set(lines.filter((l) => l.type === "episode").map((l) => l.id));
    for (const l of lines.filter((x) => x.type === "memory")) for (const s of l.sources ?? []) expect(episodes.has(s), `${l.id} cites ${s}`).toBe(true);
    const copy = await openTempMnemo();
    try {
      await copy.mnemo.import(await exportText(t.mnemo, "alice"));
    } finally {
      await copy.cleanup();
    }
  });
});

describe("item 3: erase leaves nothing, on the library path too", () => {
  it("regression: a library erase turns saved Idempotency-Key responses of the user into tombstones without content", async () => {
    await rememberPin(t.mnemo);
    await t.mnemo.recall("locker", U);
    // What `mnemo serve` keeps in the same file.
    const db = new Database(t.path);
    db.exec(`CREATE TABLE IF NOT EXISTS mnemo_idempotency (tenant TEXT NOT NULL, key TEXT NOT NULL, user_id TEXT, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
      content_type TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (tenant, key))`);
    db.prepare(`INSERT INTO mnemo_idempotency VALUES ('default', 'k1', 'alice', 'fp', 200, 'application/json', ?, ?)`).run(`{"text":"My bank PIN is ${PIN}"}`, Date.now());
    db.prepare(`INSERT INTO mnemo_idempotency VALUES ('default', 'k2', 'bob', 'fp', 200, 'application/json', '{"text":"bob stays"}', ?)`).run(Date.now());
    db.close();
    await t.mnemo.erase(U);
    const after = new Database(t.path, { readonly: true });
    const rows = after.prepare(`SELECT key, user_id, fingerprint, body FROM mnemo_idempotency ORDER BY key`).all();
    after.close();
    expect(rows).toEqual([
      { key: "k1", user_id: null, fingerprint: "erased", body: "" },
      { key: "k2", user_id: "bob", fingerprint: "fp", body: '{"text":"bob stays"}' },
    ]);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(t.path).includes(Buffer.from(PIN))).toBe(false);
  });

  it("erase drops every in-process cache of the user (recall snapshot and memory index)", async () => {
    await rememberPin(t.mnemo);
    await t.mnemo.recall("locker", U);
    const caches = (t.mnemo as unknown as { ctx: { caches: Map<string, unknown> } }).ctx.caches;
    expect([...caches.keys()].some((k) => k.includes("alice"))).toBe(true);
    await t.mnemo.erase(U);
    expect([...caches.keys()].filter((k) => k.includes("alice"))).toEqual([]);
  });
});

describe("item 7: repeated messages without id or time are not lost", () => {
  it("regression: the same text said again later is stored again; a retry inside the window is not", async () => {
    const a = await t.mnemo.remember([{ content: "I went for a run today." }], U);
    expect(a.episodes.added).toBe(1);
    clock += 10_000; // a retry 10 s later
    expect((await t.mnemo.remember([{ content: "I went for a run today." }], U)).episodes.duplicates).toBe(1);
    clock += 86_400_000; // the next day
    expect((await t.mnemo.remember([{ content: "I went for a run today." }], U)).episodes.added).toBe(1);
  });

  it("regression: two identical messages in one batch are both stored, and a retried batch adds nothing", async () => {
    const batch = [{ content: "yes" }, { content: "Do you want tea?", speaker: "assistant" }, { content: "yes" }];
    const r = await t.mnemo.remember(batch, U);
    expect(r.episodes.added).toBe(3);
    clock += 5_000;
    const again = await t.mnemo.remember(batch, U);
    expect(again.episodes).toMatchObject({ added: 0, duplicates: 3 });
  });

  it("a message with an explicit time is the same message whenever it is re-sent; another session is another message", async () => {
    const m = [{ content: "yes", occurredAt: "2024-01-01T10:00:00Z" }];
    await t.mnemo.remember(m, U);
    clock += 86_400_000;
    expect((await t.mnemo.remember(m, U)).episodes.duplicates).toBe(1);
    expect((await t.mnemo.remember(m, { ...U, sessionId: "s2" })).episodes.added).toBe(1);
  });
});

describe("item 8: concurrent remember in one process", () => {
  it("regression: concurrent calls with the same messages neither fail on a unique key nor duplicate an episode", async () => {
    const msgs = (n: number) => Array.from({ length: 5 }, (_, i) => ({ id: `c${i}`, speaker: "Alice", content: `Note ${i}: I visited city number ${i} in 202${n % 3}.` }));
    const results = await Promise.all(Array.from({ length: 6 }, () => t.mnemo.remember(msgs(0), U)));
    expect(results.reduce((n, r) => n + r.episodes.added, 0)).toBe(5);
    const idless = await Promise.all(Array.from({ length: 4 }, () => t.mnemo.remember([{ content: "I adopted a cat named Miso." }], U)));
    expect(idless.reduce((n, r) => n + r.episodes.added, 0)).toBe(1);
    expect((await t.mnemo.stats({ tenant: "default", userId: "alice" })).episodes).toBe(6);
  });
});

describe("item 9: recall on a store that cannot write", () => {
  it("regression: recall answers (without reinforcement) when every write fails", async () => {
    await rememberPin(t.mnemo);
    const db = (t.mnemo.store as unknown as { db: Database.Database }).db;
    db.pragma("query_only = ON");
    try {
      await expect(t.mnemo.remember([{ content: "I like tea." }], U)).rejects.toThrow();
      const r = await t.mnemo.recall("What do I love?", U);
      expect(r.context).toContain("hiking");
    } finally {
      db.pragma("query_only = OFF");
    }
  });
});

describe("item 9: a full disk", () => {
  it("with the file at its size limit (max_page_count), writes fail with STORE_ERROR and recall still answers", async () => {
    await rememberPin(t.mnemo);
    const db = (t.mnemo.store as unknown as { db: Database.Database }).db;
    db.pragma("wal_checkpoint(TRUNCATE)");
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`); // SQLite's own "disk full" (SQLITE_FULL)
    const big = Array.from({ length: 40 }, (_, i) => ({ content: `Diary ${i}: ${"I walked by the river and watched the boats. ".repeat(80)}` }));
    const e = await t.mnemo.remember(big, U).then(() => null, (x: unknown) => x);
    expect((e as { code?: string } | null)?.code).toBe("STORE_ERROR");
    expect((await t.mnemo.recall("What do I love?", U)).context).toContain("hiking");
  });
});

describe("item 10: lone surrogates and re-sent ids", () => {
  it("regression: a lone surrogate is INVALID_INPUT (it became U+FFFD silently)", async () => {
    await expectCode(t.mnemo.remember([{ content: "broken \ud83d text" }], U), "INVALID_INPUT");
    await expectCode(t.mnemo.remember([{ content: "ok", speaker: "x\udc00" }], U), "INVALID_INPUT");
    await expectCode(t.mnemo.recall("where \ud800", U), "INVALID_INPUT");
    // A well-formed pair is fine and round-trips.
    await t.mnemo.remember([{ content: "I love 🐱 cats." }], U);
    expect(await exportText(t.mnemo, "alice")).toContain("🐱");
    const m = (await t.mnemo.memories({ ...U, limit: 10 })).items[0]!;
    await expectCode(t.mnemo.update(m.id, { text: "bad \udfff" }, U), "INVALID_INPUT");
  });

  it("regression: a message id re-sent with other content is CONFLICT (it was silently ignored)", async () => {
    await t.mnemo.remember([{ id: "m1", content: "I live in Oslo." }], U);
    expect((await t.mnemo.remember([{ id: "m1", content: "I live in Oslo." }], U)).episodes.duplicates).toBe(1);
    await expectCode(t.mnemo.remember([{ id: "m1", content: "I live in Bergen." }], U), "CONFLICT");
    await expectCode(t.mnemo.remember([{ id: "m2", content: "A" }, { id: "m2", content: "B" }], U), "CONFLICT");
    expect((await t.mnemo.stats({ tenant: "default", userId: "alice" })).episodes).toBe(1);
  });
});
