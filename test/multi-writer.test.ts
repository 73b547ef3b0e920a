/**
 * Several writers on one store (issue #10): two `mnemo serve` processes on one database, and
 * concurrent `remember` calls in one process, write interleaved for the same users. Nothing
 * may be lost or duplicated (episodes, history versions), no profile summary may quote an
 * invalidated fact, and both servers must export the same bytes. Runs on SQLite (one file,
 * two processes) and on PostgreSQL.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openKeys } from "../src/server/state.js";
import { MnemoClient } from "../src/client/index.js";
import type { Memory } from "../src/core/types.js";
import { Mnemo } from "../src/mnemo.js";
import { allMemories } from "../src/store/all-memories.js";
import { openStore } from "../src/store/open.js";
import { exportText, makeEpisode } from "./support/fixtures.js";
import { freshPgUrl, PG_OFF, stopTestPostgres } from "./support/postgres.js";
import { sha256, spawnServer, tempDir } from "./support/server-harness.js";

afterAll(stopTestPostgres);

interface Backend {
  db: string;
  keysDb: string;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const tmp = tempDir("mnemo-mw-");
  const db = join(tmp.dir, "shared.db");
  return { db, keysDb: db, env: {}, cleanup: async () => tmp.cleanup() };
}

async function postgresBackend(): Promise<Backend> {
  const tmp = tempDir("mnemo-mw-");
  const { url, drop } = await freshPgUrl("mw");
  return { db: url, keysDb: url, env: {}, cleanup: async () => (await drop(), tmp.cleanup()) };
}

const CITIES = ["Boston", "Denver", "Austin", "Seattle"];
const JOBS = ["Acme", "Globex", "Initech"];
const COLOURS = ["green", "blue", "red", "yellow", "purple"];

/** Message i of a stream: facts that keep replacing each other (slots), so that writes invalidate and profiles change. */
function message(id: string, i: number, day: number) {
  const content = [
    `I live in ${CITIES[i % CITIES.length]} now.`,
    `I work at ${JOBS[i % JOBS.length]} as an engineer.`,
    `My favourite colour is ${COLOURS[i % COLOURS.length]}.`,
    `I went hiking with my sister Ana on trail ${i}.`,
  ][i % 4]!;
  return { id, speaker: "Dana", content, occurredAt: new Date(Date.UTC(2024, 0, 1 + day, 10, i % 60)).toISOString() };
}

/** Store-level invariants of one user after concurrent writers. */
async function checkUser(mnemo: Mnemo, userId: string, expectedIds: string[]): Promise<void> {
  const jsonl = await exportText(mnemo, userId);
  const lines = jsonl.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const episodes = lines.filter((l) => l.type === "episode");
  const ext = episodes.map((e) => e.externalId as string);
  // Every message exactly once.
  expect(ext.length).toBe(new Set(ext).size);
  expect(new Set(ext)).toEqual(new Set(expectedIds));
  expect(new Set(episodes.map((e) => e.seq)).size).toBe(episodes.length);
  // No history version twice (a reinforcement keeps the version it reinforces), and every
  // memory's latest history version is its version.
  const history = lines.filter((l) => l.type === "history");
  const versions = history.filter((h) => h.op !== "reinforce").map((h) => `${h.memoryId as string}#${h.version as number}`);
  expect(versions.length - new Set(versions).size, "duplicate history versions").toBe(0);
  const memories = await allMemories(mnemo.store, { tenant: "acme", userId, includeInvalidated: true, includeForgotten: true });
  const byId = new Map<string, Memory>(memories.map((m) => [m.id, m]));
  const maxVersion = new Map<string, number>();
  for (const h of history) maxVersion.set(h.memoryId as string, Math.max(maxVersion.get(h.memoryId as string) ?? 0, h.version as number));
  for (const m of memories) if (maxVersion.has(m.id)) expect(maxVersion.get(m.id), `history of ${m.id}`).toBe(m.version);
  // A live profile summary quotes only live facts, with their current text.
  const summaries = memories.filter((m) => m.kind === "summary" && !m.invalidatedAt && !m.forgottenAt);
  expect(summaries.length).toBeGreaterThan(0);
  for (const s of summaries) {
    for (const line of (s.metadata.lines ?? []) as Array<{ memoryId: string; text: string }>) {
      const fact = byId.get(line.memoryId);
      expect(fact, `summary quotes missing ${line.memoryId}`).toBeDefined();
      expect(fact!.invalidatedAt, `summary quotes invalidated "${fact!.text}"`).toBeNull();
      expect(fact!.forgottenAt).toBeNull();
      expect(line.text).toBe(fact!.text);
    }
  }
  // At most one live fact per slot.
  const live = memories.filter((m) => m.slot && !m.invalidatedAt && !m.forgottenAt && m.kind !== "summary");
  const slots = live.map((m) => m.slot!);
  expect(slots.length - new Set(slots).size, "two live facts in one slot").toBe(0);
}

const backends: Array<[string, () => Promise<Backend>, boolean]> = [
  ["sqlite", sqliteBackend, false],
  ["postgres", postgresBackend, PG_OFF],
];

for (const [name, make, skip] of backends) {
  describe.skipIf(skip)(`several writers (${name})`, () => {
    it("two mnemo serve processes on one database, interleaved writes for the same users: nothing lost or duplicated, same export", async () => {
      const b = await make();
      const servers: Array<Awaited<ReturnType<typeof spawnServer>>> = [];
      try {
        // Keys live in the store's database: on PostgreSQL one key serves both processes.
        const ks = await openKeys(b.keysDb);
        const key = (await ks.keys.create({ tenant: "acme", scopes: "read,write,admin" })).key;
        await ks.close();
        for (let i = 0; i < 2; i++) servers.push(await spawnServer(b.db, ["--rate-limit", "0"], b.env));
        const [a, c] = servers.map((s) => new MnemoClient({ baseUrl: s.url, apiKey: key, retries: 3, timeoutMs: 30_000 }));
        const users = ["u1", "u2", "u3"];
        const rounds = 10;
        const sent = new Map<string, string[]>(users.map((u) => [u, []]));
        for (let i = 0; i < rounds; i++) {
          await Promise.all(
            users.flatMap((u) => {
              sent.get(u)!.push(`m${i}`, `a${i}`, `b${i}`);
              return [
                // The same message to both servers at once: stored once.
                a!.remember({ userId: u, sessionId: "s", messages: [message(`m${i}`, i, i)] }),
                c!.remember({ userId: u, sessionId: "s", messages: [message(`m${i}`, i, i)] }),
                // A different message to each server at once: both stored, both distilled.
                a!.remember({ userId: u, sessionId: "s", messages: [message(`a${i}`, i + 1, i)] }),
                c!.remember({ userId: u, sessionId: "s", messages: [message(`b${i}`, i + 2, i)] }),
              ];
            }),
          );
        }
        for (const u of users) {
          const [ea, eb] = await Promise.all([a!.exportUser(u), c!.exportUser(u)]);
          expect(sha256(ea)).toBe(sha256(eb));
        }
        for (const s of servers) s.child.kill("SIGTERM");
        await Promise.all(servers.map((s) => s.exited));
        const mnemo = await Mnemo.open({ path: b.db, tenant: "acme" });
        try {
          for (const u of users) await checkUser(mnemo, u, sent.get(u)!);
        } finally {
          await mnemo.close();
        }
      } finally {
        for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
        await b.cleanup();
      }
    }, 180_000);

    it("write scopes of different users overlap; of one user, they take turns", async () => {
      const b = await make();
      const store = await openStore(b.db);
      try {
        const A = { tenant: "t", userId: "a" };
        const B = { tenant: "t", userId: "b" };
        let open!: () => void;
        const gate = new Promise<void>((r) => (open = r));
        const order: string[] = [];
        // A waits (inside its write scope, before committing) for B: a process-wide writer queue would deadlock here.
        const slow = store.writeScope(A, async (s) => {
          await gate;
          await s.commit({ scope: A, episodes: [makeEpisode(A)] });
          order.push("a1");
        });
        const other = store.writeScope(B, async (s) => {
          await s.commit({ scope: B, episodes: [makeEpisode(B)] });
          order.push("b");
          open();
        });
        const same = store.writeScope(A, async (s) => {
          await s.commit({ scope: A, episodes: [makeEpisode(A, { seq: 2 })] });
          order.push("a2");
        });
        await Promise.race([Promise.all([slow, other, same]), new Promise((_, reject) => setTimeout(() => reject(new Error("write scopes deadlocked")), 20_000))]);
        expect(order).toEqual(["b", "a1", "a2"]);
        expect((await store.stats({ tenant: "t" })).episodes).toBe(3);
      } finally {
        await store.close();
        await b.cleanup();
      }
    });

    it("concurrent remember calls for one user in one process (and through two Mnemo instances) lose and duplicate nothing", async () => {
      const b = await make();
      try {
        const one = await Mnemo.open({ path: b.db, tenant: "acme" });
        const two = await Mnemo.open({ path: b.db, tenant: "acme" });
        try {
          const ids: string[] = [];
          const calls: Array<Promise<unknown>> = [];
          for (let i = 0; i < 24; i++) {
            ids.push(`m${i}`);
            // Each message twice (once per instance) and all at once.
            calls.push(one.remember([message(`m${i}`, i, i)], { userId: "u" }), two.remember([message(`m${i}`, i, i)], { userId: "u" }));
          }
          await Promise.all(calls);
          await checkUser(one, "u", ids);
          expect(await exportText(one, "u")).toBe(await exportText(two, "u"));
        } finally {
          await one.close();
          await two.close();
        }
      } finally {
        await b.cleanup();
      }
    }, 120_000);
  });
}
