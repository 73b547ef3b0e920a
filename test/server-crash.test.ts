/**
 * Crash test: the server runs as a child process; it is killed with SIGKILL in the middle
 * of a stream of writes, then restarted on the same file. Every acknowledged write must be
 * there, and retrying every attempted write (same message ids, same Idempotency-Keys)
 * must create no duplicates.
 */
import Database from "better-sqlite3";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openKeys } from "../src/server/state.js";
import { MnemoClient } from "../src/client/index.js";
import { spawnServer, tempDir } from "./support/server-harness.js";
import { freshPgUrl, PG_OFF, stopTestPostgres } from "./support/postgres.js";

afterAll(stopTestPostgres);

const WRITERS = 6;

function episodeIds(jsonl: string): string[] {
  return jsonl
    .split("\n")
    .filter((l) => l.includes('"type":"episode"'))
    .map((l) => (JSON.parse(l) as { externalId: string }).externalId);
}

/** The stores the crash runs on: a SQLite file, and a fresh PostgreSQL schema (keys and idempotency replies in it). */
const BACKENDS = [
  { name: "sqlite", skip: false, pg: false },
  { name: "postgres", skip: PG_OFF, pg: true },
];

for (const backend of BACKENDS) describe.skipIf(backend.skip)(`crash safety (kill -9 during writes, ${backend.name})`, () => {
  it("keeps every acknowledged write and lets retries complete without duplicates", async () => {
    const tmp = tempDir();
    const pg = backend.pg ? await freshPgUrl("crash") : null;
    const db = pg ? pg.url : join(tmp.dir, "crash.db");
    const env: Record<string, string> = {};
    try {
      // Keys live in the store's database (PostgreSQL: table api_keys).
      const ks = await openKeys(db);
      const key = (await ks.keys.create({ tenant: "acme", scopes: "read,write,admin" })).key;
      await ks.close();

      const first = await spawnServer(db, ["--rate-limit", "0"], env);
      const client = new MnemoClient({ baseUrl: first.url, apiKey: key, retries: 0, timeoutMs: 10_000 });
      const write = (c: MnemoClient, i: number) =>
        c.remember(
          { userId: "crash", sessionId: "s", messages: [{ id: `w${i}`, speaker: "Dana", content: `Note ${i}: I planted ${i} tulips in garden bed ${i % 7}.` }] },
          { idempotencyKey: `write-${i}` },
        );
      const acked = new Set<number>();
      const attempted = new Set<number>();
      let next = 0;
      let dead = false;
      const writer = async () => {
        while (!dead) {
          const i = next++;
          attempted.add(i);
          try {
            await write(client, i);
            acked.add(i);
          } catch {
            return;
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, writer);
      const t0 = Date.now();
      while (acked.size < 40 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 5));
      first.child.kill("SIGKILL");
      dead = true;
      const exit = await first.exited;
      expect(exit.signal).toBe("SIGKILL");
      await Promise.all(writers);
      expect(acked.size).toBeGreaterThanOrEqual(40);
      expect(attempted.size).toBeGreaterThan(acked.size - 1);

      // The file is intact after the crash (PostgreSQL: the server's own recovery).
      if (!pg) {
        const raw = new Database(db, { readonly: true });
        expect(raw.pragma("integrity_check", { simple: true })).toBe("ok");
        raw.close();
      }

      const second = await spawnServer(db, ["--rate-limit", "0"], env);
      const again = new MnemoClient({ baseUrl: second.url, apiKey: key, retries: 5 });
      const afterCrash = new Set(episodeIds(await again.exportUser("crash")));
      const lost = [...acked].filter((i) => !afterCrash.has(`w${i}`));
      expect(lost).toEqual([]);

      // Clients retry whatever they did not see acknowledged (and, being unsure, some that were).
      const replayed = await Promise.all([...attempted].map((i) => write(again, i)));
      expect(replayed).toHaveLength(attempted.size);
      const ids = episodeIds(await again.exportUser("crash"));
      expect(ids.length).toBe(new Set(ids).size);
      expect(new Set(ids)).toEqual(new Set([...attempted].map((i) => `w${i}`)));

      // SIGTERM shuts down gracefully (exit code 0).
      second.child.kill("SIGTERM");
      expect((await second.exited).code).toBe(0);
    } finally {
      await pg?.drop();
      tmp.cleanup();
    }
  }, 90_000);
});
