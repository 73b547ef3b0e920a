/**
 * API keys and Idempotency-Key replies live in the store's database: a SQLite file's own
 * tables, or the PostgreSQL database every server process shares. The same checks run on
 * both; "two servers" are two apps, each with its own Mnemo (its own connection or pool),
 * on one database.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { KeyBackend } from "../src/auth/keys.js";
import { Mnemo } from "../src/mnemo.js";
import { createApp, type MnemoApp } from "../src/server/app.js";
import { openKeys, serverState } from "../src/server/state.js";
import { expectCode } from "./support/fixtures.js";
import { freshPgUrl, PG_OFF, stopTestPostgres } from "./support/postgres.js";
import { tempDir } from "./support/server-harness.js";

afterAll(stopTestPostgres);

interface Db {
  location: string;
  cleanup(): Promise<void>;
}

const BACKENDS: Array<[string, boolean, () => Promise<Db>]> = [
  [
    "sqlite",
    false,
    async () => {
      const tmp = tempDir("mnemo-state-");
      return { location: join(tmp.dir, "mnemo.db"), cleanup: async () => tmp.cleanup() };
    },
  ],
  [
    "postgres",
    PG_OFF,
    async () => {
      const pg = await freshPgUrl("state");
      return { location: pg.url, cleanup: pg.drop };
    },
  ],
];

/** One "server": a Mnemo of its own on the database, and its app. */
async function server(location: string): Promise<{ app: MnemoApp; keys: KeyBackend; close(): Promise<void> }> {
  const mnemo = await Mnemo.open({ path: location });
  const state = serverState(mnemo.store, location);
  const app = createApp({ mnemo, keys: state.keys, options: { logLevel: "silent", rateLimit: false, dbPath: state.dbPath, idempotency: state.idempotency } });
  return {
    app,
    keys: state.keys,
    close: async () => {
      app.dispose();
      state.close();
      await mnemo.close();
    },
  };
}

for (const [name, skip, make] of BACKENDS) {
  describe.skipIf(skip)(`API keys and idempotency replies in the store's database (${name})`, () => {
    it("keys: create, list, verify, revoke; a wrong secret, a malformed key and a revoked key are refused", async () => {
      const db = await make();
      const { keys, close } = await openKeys(db.location);
      try {
        const a = await keys.create({ tenant: "acme", scopes: "read,write", name: "ci" });
        const b = await keys.create({ tenant: "other" });
        expect(a.key).toMatch(/^mnemo_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
        expect(a.info).toMatchObject({ tenant: "acme", scopes: ["read", "write"], name: "ci", revokedAt: null });
        expect((await keys.verify(a.key))?.tenant).toBe("acme");
        expect(await keys.verify(a.key.slice(0, -1) + (a.key.endsWith("A") ? "B" : "A"))).toBeNull();
        expect(await keys.verify(`mnemo_${a.info.id}_short`)).toBeNull();
        expect(await keys.verify(`mnemo_${b.info.id}_${a.key.split("_").pop()}`)).toBeNull();
        expect((await keys.list({ tenant: "acme" })).map((k) => k.id)).toEqual([a.info.id]);
        expect((await keys.list()).map((k) => k.id).sort()).toEqual([a.info.id, b.info.id].sort());
        expect((await keys.revoke(a.info.id)).revokedAt).not.toBeNull();
        expect(await keys.verify(a.key)).toBeNull();
        expect((await keys.list({ activeOnly: true })).map((k) => k.id)).toEqual([b.info.id]);
        await expectCode(Promise.resolve().then(() => keys.revoke("0123456789abcdef")), "NOT_FOUND");
        await expectCode(Promise.resolve().then(() => keys.create({ tenant: "bad tenant!" })), "INVALID_INPUT");
        await expectCode(Promise.resolve().then(() => keys.create({ tenant: "acme", scopes: "root" })), "INVALID_INPUT");
      } finally {
        await close();
        await db.cleanup();
      }
    });

    it("two servers on one database: a key made once works on both; an Idempotency-Key reply is replayed by the other; erase leaves a tombstone both honour", async () => {
      const db = await make();
      const one = await server(db.location);
      const two = await server(db.location);
      try {
        const { key } = await one.keys.create({ tenant: "acme", scopes: "read,write,admin" });
        const post = (s: { app: MnemoApp }, idem: string, body: unknown) =>
          s.app.request("/v1/remember", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "idempotency-key": idem }, body: JSON.stringify(body) });
        const body = { userId: "alice", messages: [{ id: "m1", speaker: "Alice", content: "I moved to Lisbon in March." }] };
        const first = await post(one, "k-1", body);
        expect(first.status).toBe(200);
        const firstText = await first.text();
        const replay = await post(two, "k-1", body);
        expect(replay.status).toBe(200);
        expect(replay.headers.get("idempotent-replayed")).toBe("true");
        expect(await replay.text()).toBe(firstText);
        // The same key for another request is refused on either server.
        expect((await post(two, "k-1", { ...body, userId: "bob" })).status).toBe(422);
        // Erase through server one; a late retry of alice's key through server two is refused, not re-run.
        const erase = await one.app.request("/v1/users/alice", { method: "DELETE", headers: { authorization: `Bearer ${key}` } });
        expect(erase.status).toBe(200);
        const late = await post(two, "k-1", body);
        expect(late.status).toBe(409);
        const list = await two.app.request("/v1/memories?userId=alice", { headers: { authorization: `Bearer ${key}` } });
        expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
        // A key revoked through one server is refused by the other.
        const k2 = await two.keys.create({ tenant: "acme", scopes: "read" });
        expect((await one.app.request("/v1/memories?userId=alice", { headers: { authorization: `Bearer ${k2.key}` } })).status).toBe(200);
        await two.keys.revoke(k2.info.id);
        expect((await one.app.request("/v1/memories?userId=alice", { headers: { authorization: `Bearer ${k2.key}` } })).status).toBe(401);
      } finally {
        await one.close();
        await two.close();
        await db.cleanup();
      }
    });
  });
}

describe("write queue: per user, in arrival order", () => {
  it("serialises writes of one key, overlaps different keys, and a keyless write is a barrier", async () => {
    const { WriteQueue } = await import("../src/server/queue.js");
    const q = new WriteQueue();
    const log: string[] = [];
    const gate = () => {
      let open!: () => void;
      const p = new Promise<void>((r) => (open = r));
      return { p, open };
    };
    const a1 = gate();
    const b1 = gate();
    const w = (name: string, g: { p: Promise<void> } | null, key?: string) =>
      q.run(async () => {
        log.push(`start ${name}`);
        if (g) await g.p;
        log.push(`end ${name}`);
      }, undefined, key);
    const all = [w("a1", a1, "a"), w("b1", b1, "b"), w("a2", null, "a"), w("all", null), w("b2", null, "b")];
    await new Promise((r) => setTimeout(r, 10));
    // a1 and b1 run together; a2 waits for a1; the barrier and b2 wait for everything before them.
    expect(log).toEqual(["start a1", "start b1"]);
    b1.open();
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(["start a1", "start b1", "end b1"]);
    a1.open();
    await Promise.all(all);
    expect(log).toEqual(["start a1", "start b1", "end b1", "end a1", "start a2", "end a2", "start all", "end all", "start b2", "end b2"]);
    expect(q.size).toBe(0);
  });
});
