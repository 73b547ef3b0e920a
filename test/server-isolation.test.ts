/**
 * Isolation property test: two tenants × three users, randomized sequences over every
 * route (≥ 2,000 operations), import, erase, forget, message deletion and Idempotency-Key
 * replays (keys shared across users and tenants, replayed after erases) included. No
 * response may contain another tenant's or user's data (their marker words or their record
 * ids), and a key of one tenant gets 404 for the other tenant's ids.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MnemoClient, MnemoClientError } from "../src/client/index.js";
import { createTestApp, type TestApp } from "./support/server-harness.js";
import { freshPgUrl, PG_OFF, stopTestPostgres } from "./support/postgres.js";

afterAll(stopTestPostgres);

const TENANTS = 2;
const USERS = 3;
/** 20 runs × 100 operations in CI; `npm run test:soak` sets MNEMO_SOAK_RUNS for a longer run. */
const SQLITE_RUNS = Number(process.env.MNEMO_SOAK_RUNS ?? 20);
/** PostgreSQL: the same 20 runs × 100 operations (about 1.5 min more in CI). */
const PG_RUNS = Number(process.env.MNEMO_SOAK_RUNS ?? 20);

/** The stores the property runs on: a temp SQLite file, and a fresh PostgreSQL schema. */
const BACKENDS: Array<{ name: string; runs: number; skip: boolean; db: () => Promise<{ url?: string; drop: () => Promise<void> }> }> = [
  { name: "sqlite", runs: SQLITE_RUNS, skip: false, db: async () => ({ drop: async () => undefined }) },
  { name: "postgres", runs: PG_RUNS, skip: PG_OFF, db: () => freshPgUrl("iso") },
];
const OPS_PER_RUN = 100;
const CITIES = ["Lisbon", "Oslo", "Kyoto", "Lima", "Cairo", "Quito"];
const HOBBIES = ["surfing", "chess", "pottery", "climbing", "baking", "sailing"];

type Op =
  | { op: "remember"; t: number; u: number; n: number; seed: number; reuse: boolean }
  | { op: "recall"; t: number; u: number; target: number; seed: number }
  | { op: "list"; t: number; u: number; kind: number }
  | { op: "get" | "history" | "forget"; t: number; u: number; pick: number; tenantWide: boolean }
  | { op: "patch"; t: number; u: number; pick: number; seed: number }
  | { op: "erase"; t: number; u: number }
  | { op: "export"; t: number; u: number }
  | { op: "import"; t: number; u: number; from: number; own: boolean }
  | { op: "idem"; t: number; u: number; key: number; seed: number }
  | { op: "delmsg"; t: number; u: number; pick: number };

const t = fc.nat(TENANTS - 1);
const u = fc.nat(USERS - 1);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("remember" as const), t, u, n: fc.integer({ min: 1, max: 3 }), seed: fc.nat(10_000), reuse: fc.boolean() }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant("recall" as const), t, u, target: fc.nat(TENANTS * USERS - 1), seed: fc.nat(10_000) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("list" as const), t, u, kind: fc.nat(6) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom("get" as const, "history" as const), t, u, pick: fc.nat(), tenantWide: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("forget" as const), t, u, pick: fc.nat(), tenantWide: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("patch" as const), t, u, pick: fc.nat(), seed: fc.nat(10_000) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("erase" as const), t, u }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("export" as const), t, u }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("import" as const), t, u, from: fc.nat(TENANTS * USERS - 1), own: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("idem" as const), t, u, key: fc.nat(3), seed: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("delmsg" as const), t, u, pick: fc.nat() }) },
);

for (const backend of BACKENDS) describe.skipIf(backend.skip)(`tenant and user isolation (fast-check, ${backend.name})`, () => {
  const RUNS = backend.runs;
  let app: TestApp;
  let drop: () => Promise<void> = async () => undefined;
  let run = 0;
  let executed = 0;
  const seen: Array<{ status: number; text: string }> = [];
  const stats = { crossTenant404: 0, crossUser404: 0, recallHits: 0, importConflicts: 0, imports: 0, erases: 0, listed: 0, idemReplays: 0, idemRefused: 0, deletedMessages: 0, deleteNotFound: 0 };

  beforeAll(async () => {
    const db = await backend.db();
    drop = db.drop;
    app = await createTestApp(db.url ? { db: db.url } : {});
  });
  afterAll(async () => {
    await app.close();
    await drop();
  });

  it(`never leaks across tenants or users in ${RUNS * OPS_PER_RUN} random operations`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: OPS_PER_RUN, maxLength: OPS_PER_RUN }), async (ops) => {
        run++;
        const tenantName = (ti: number) => `r${run}-tenant${ti}`;
        const userName = (ui: number) => `user${ui}`;
        const scopeKey = (ti: number, ui: number) => `${ti}/${ui}`;
        const marker = (ti: number, ui: number) => `zq${ti}x${ui}r${run}qz`;
        const recording = (input: string, init: RequestInit) =>
          app.fetch(input, init).then(async (res) => {
            seen.push({ status: res.status, text: await res.clone().text() });
            return res;
          });
        const clients = Array.from({ length: TENANTS }, (_, ti) => new MnemoClient({ baseUrl: "http://mnemo.test", apiKey: app.key(tenantName(ti)), fetch: recording, retries: 0 }));
        /** id → owning scope ("t/u"), for every memory or episode id a response showed. */
        const owner = new Map<string, string>();
        const exports = new Map<string, string>();
        const ids = () => [...owner.keys()];
        const note = (ti: number, ui: number, items: Array<{ id: string; userId?: string; sources?: string[] }>) => {
          for (const m of items) {
            const prev = owner.get(m.id);
            if (prev !== undefined && prev !== scopeKey(ti, ui)) throw new Error(`id ${m.id} of ${prev} shown to ${scopeKey(ti, ui)}`);
            if (m.userId !== undefined && m.userId !== userName(ui)) throw new Error(`memory of ${m.userId} shown to ${userName(ui)}`);
            owner.set(m.id, scopeKey(ti, ui));
          }
        };
        const expectCode = async (p: Promise<unknown>, ...codes: string[]) => {
          try {
            await p;
            return "OK";
          } catch (e) {
            if (e instanceof MnemoClientError && codes.includes(e.code)) return e.code;
            throw e;
          }
        };

        for (const op of ops) {
          executed++;
          seen.length = 0;
          const c = clients[op.t]!;
          const me = scopeKey(op.t, op.u);
          const userId = userName(op.u);
          switch (op.op) {
            case "remember": {
              // A reused id is re-sent with the same content (an id names one message; other
              // content under it is CONFLICT).
              const messages = Array.from({ length: op.n }, (_, i) => {
                const k = op.reuse ? (op.seed + i) % 7 : op.seed + i;
                return {
                  id: op.reuse ? `m${k}` : `m${op.seed}-${i}`,
                  speaker: `Person${op.u}`,
                  content: `I moved to ${CITIES[k % CITIES.length]} and I love ${HOBBIES[(k * 7) % HOBBIES.length]}; my code word is ${marker(op.t, op.u)}.`,
                };
              });
              // No import can block a scope's own writes (ids are never shared): no CONFLICT here.
              const r = await c.remember({ userId, messages });
              for (const id of r.episodes.ids) owner.set(id, owner.get(id) ?? me);
              break;
            }
            case "recall": {
              const tt = Math.floor(op.target / USERS);
              const tu = op.target % USERS;
              const query = `code word ${marker(tt, tu)} ${CITIES[op.seed % CITIES.length]} ${HOBBIES[op.seed % HOBBIES.length]}`;
              const r = await c.recall({ userId, query, budgetTokens: 200 + (op.seed % 400) });
              note(op.t, op.u, r.results.filter((x) => x.type === "memory"));
              if (r.results.length > 0) stats.recallHits++;
              break;
            }
            case "list": {
              const kinds = ["fact", "event", "preference", "profile", "instruction", "summary"] as const;
              const page = await c.listMemories({ userId, kind: op.kind < 6 ? kinds[op.kind] : undefined, limit: 50 });
              note(op.t, op.u, page.items);
              stats.listed += page.items.length;
              break;
            }
            case "get":
            case "history":
            case "forget":
            case "patch": {
              const all = ids().filter((id) => id.startsWith("mem_"));
              if (all.length === 0) break;
              const id = all[op.pick % all.length]!;
              const mine = owner.get(id) === me;
              const sameTenant = owner.get(id)?.startsWith(`${op.t}/`) ?? false;
              const opts = op.op !== "patch" && op.tenantWide ? {} : { userId };
              const call =
                op.op === "get" ? c.getMemory(id, opts)
                : op.op === "history" ? c.history(id, opts)
                : op.op === "forget" ? c.forget(id, opts)
                : c.updateMemory(id, { text: `Patched note ${"seed" in op ? op.seed : 0} with code word ${marker(op.t, op.u)}.` }, opts);
              const res = await expectCode(call, "NOT_FOUND");
              // Another tenant's id is always 404; another user's id is 404 when the request names the user.
              if (!sameTenant || (!mine && "userId" in opts)) {
                expect(res, `${op.op} ${id} of ${owner.get(id)} by ${me}`).toBe("NOT_FOUND");
                if (!sameTenant) stats.crossTenant404++;
                else stats.crossUser404++;
              }
              break;
            }
            case "erase": {
              if ((await expectCode(c.eraseUser(userId), "UNKNOWN_USER")) === "OK") {
                stats.erases++;
                for (const [id, s] of owner) if (s === me) owner.delete(id);
              }
              break;
            }
            case "export": {
              try {
                const jsonl = await c.exportUser(userId);
                exports.set(me, jsonl);
                for (const line of jsonl.split("\n").slice(1)) {
                  if (!line) continue;
                  const rec = JSON.parse(line) as { type: string; id?: string; tenant?: string; userId?: string };
                  expect(rec.tenant === undefined || rec.tenant === tenantName(op.t)).toBe(true);
                  expect(rec.userId === undefined || rec.userId === userId).toBe(true);
                  if ((rec.type === "memory" || rec.type === "episode") && rec.id) note(op.t, op.u, [{ id: rec.id }]);
                }
              } catch (e) {
                if (!(e instanceof MnemoClientError && e.code === "UNKNOWN_USER")) throw e;
              }
              break;
            }
            case "idem": {
              // Keys are shared by every user and tenant of the run: a replay only ever answers
              // the same tenant's same request (else 422), and never after its user was erased (409).
              const messages = [{ speaker: `Person${op.u}`, content: `Retry ${op.seed}: I sail near ${CITIES[op.seed]}; my code word is ${marker(op.t, op.u)}.` }];
              let replayed = false;
              const res = await expectCode(
                c.remember({ userId, messages }, { idempotencyKey: `idem-r${run}-${op.key}` }).then((r) => {
                  for (const id of r.episodes.ids) owner.set(id, owner.get(id) ?? me);
                  replayed = r.episodes.added === 0;
                }),
                "IDEMPOTENCY_MISMATCH",
                "CONFLICT",
              );
              if (res === "OK" && replayed) stats.idemReplays++;
              else if (res !== "OK") stats.idemRefused++;
              break;
            }
            case "delmsg": {
              const all = ids().filter((id) => id.startsWith("ep_"));
              if (all.length === 0) break;
              const id = all[op.pick % all.length]!;
              const res = await expectCode(c.deleteEpisode(id, { userId }), "NOT_FOUND");
              // Another user's or tenant's message is always 404.
              if (owner.get(id) !== me) expect(res, `delete ${id} of ${owner.get(id)} by ${me}`).toBe("NOT_FOUND");
              if (res === "OK") stats.deletedMessages++;
              else stats.deleteNotFound++;
              break;
            }
            case "import": {
              const fromT = Math.floor(op.from / USERS);
              const fromU = op.from % USERS;
              const src = op.own ? exports.get(me) : exports.get(scopeKey(fromT, fromU));
              if (!src) break;
              // Re-label the other scope's words as ours: if the import is accepted, the data is legitimately ours.
              const jsonl = src.split(marker(fromT, fromU)).join(marker(op.t, op.u));
              const res = await expectCode(c.importJsonl(jsonl, { userId }), "CONFLICT");
              const lines = jsonl.split("\n").filter((l) => l.trim() !== "");
              // Another scope's export is copied with ids of our own (it never takes theirs: the
              // leak check below would see them), or refused when we already hold messages
              // with the same external ids.
              if (res === "CONFLICT") stats.importConflicts++;
              else stats.imports++;
              if (res === "OK" && (op.own || scopeKey(fromT, fromU) === me)) {
                for (const l of lines) {
                  const rec = JSON.parse(l) as { type: string; id?: string };
                  if ((rec.type === "memory" || rec.type === "episode") && rec.id) owner.set(rec.id, me);
                }
              }
              break;
            }
          }
          // No response of this operation shows another scope's marker or ids. A tenant-wide
          // lookup by id (no userId) acts for the whole tenant: only other tenants are off limits.
          const tenantWide = "tenantWide" in op && op.tenantWide;
          const offLimits = (ti: number, ui: number) => ti !== op.t || (!tenantWide && ui !== op.u);
          for (const r of seen) {
            expect(r.status, r.text).toBeLessThan(500);
            const text = r.text.toLowerCase();
            for (let ti = 0; ti < TENANTS; ti++) {
              for (let ui = 0; ui < USERS; ui++) {
                if (!offLimits(ti, ui)) continue;
                // An error message may echo an id the caller sent; data never does.
                if (r.status >= 400) continue;
                expect(text.includes(marker(ti, ui)), `${op.op} by ${me} shows ${scopeKey(ti, ui)}'s data: ${r.text.slice(0, 300)}`).toBe(false);
              }
            }
            if (r.status < 300) {
              for (const [id, s] of owner) {
                const [ti, ui] = s.split("/").map(Number) as [number, number];
                if (offLimits(ti, ui) && text.includes(id.toLowerCase())) throw new Error(`${op.op} by ${me} shows id ${id} of ${s}`);
              }
            }
          }
        }
      }),
      { numRuns: RUNS, endOnFailure: true, ...(process.env.MNEMO_SOAK_SEED ? { seed: Number(process.env.MNEMO_SOAK_SEED) } : {}) },
    );
    expect(executed).toBeGreaterThanOrEqual(RUNS * OPS_PER_RUN);
    // The random sequences really exercised the interesting paths.
    // (An import refused with CONFLICT needs a rarer sequence and is sometimes not drawn;
    // it has its own test in test/server-api.test.ts ("409 CONFLICT"); it failed a full run once, stop 16.)
    for (const [k, v] of Object.entries(stats)) if (k !== "importConflicts") expect(v, k).toBeGreaterThan(0);
  }, Math.max(170_000, RUNS * 8_000));

  // Regression: ids derived from public names (entity ids = stableId("ent", tenant, user, name))
  // could be claimed by another tenant's import, after which the owner's remember() failed
  // with CONFLICT. Import now rebinds such ids to the importing scope.
  it("regression: a tenant cannot block another tenant's future writes by importing ids derived for it", async () => {
    const { stableId } = await import("../src/core/ids.js");
    const victim = app.client(app.key("victim-co"));
    const attacker = app.client(app.key("attacker-co"));
    const file = [
      JSON.stringify({ type: "mnemo-export", version: 1, userId: "mallory" }),
      JSON.stringify({ type: "entity", id: stableId("ent", "victim-co", "alice", "boston"), tenant: "attacker-co", userId: "mallory", name: "Boston", aliases: [], mentionCount: 1, entityType: "place" }),
    ].join("\n");
    await attacker.importJsonl(file);
    await victim.remember({ userId: "alice", messages: [{ speaker: "Alice", content: "I moved to Boston last month." }] });
  });
});
