/**
 * The Store contract: every Store implementation (SQLite now, PostgreSQL later) must pass
 * this suite. It only uses the Store interface. Run it from a `*.test.ts` file:
 *
 * ```ts
 * runStoreContract("sqlite", async () => { const store = await SqliteStore.open(path); return { store, cleanup } });
 * ```
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MnemoError } from "../src/core/errors.js";
import type { Memory, MemoryVersion } from "../src/core/types.js";
import type { ScopeKey, Store } from "../src/store/types.js";
import { at, makeEntity, makeEpisode, makeMemory, makeSegment, makeVersion, vec } from "./support/fixtures.js";

const A: ScopeKey = { tenant: "t1", userId: "alice" };
const B: ScopeKey = { tenant: "t1", userId: "bob" };
/** Same user id as A, other tenant. */
const C: ScopeKey = { tenant: "t2", userId: "alice" };

/** A vector read back equals the one written within the stores' stated tolerance: half an 8-bit step (max|v| / 254) per component. */
function closeVector(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  const tol = Math.max(0, ...Array.from(want, Math.abs)) / 254;
  for (let j = 0; j < want.length; j++) expect(Math.abs(got[j]! - want[j]!)).toBeLessThanOrEqual(tol * (1 + 1e-6));
}

async function rejectsWith(p: Promise<unknown>, codes: string[]): Promise<MnemoError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected a MnemoError (${codes.join(" or ")})`).toBeInstanceOf(MnemoError);
  expect(codes).toContain((err as MnemoError).code);
  return err as MnemoError;
}

/** Every memory of a scope (all pages, including inactive ones). */
async function allMemories(store: Store, scope: ScopeKey): Promise<Memory[]> {
  const out: Memory[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await store.listMemories({ tenant: scope.tenant, userId: scope.userId, includeInvalidated: true, includeForgotten: true, limit: 1000, cursor });
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error("pagination does not end");
}

export function runStoreContract(name: string, create: () => Promise<{ store: Store; cleanup: () => Promise<void> }>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await create());
    });
    afterEach(async () => {
      await cleanup();
    });

    /** One episode + one memory sourced from it, committed for `scope`. */
    async function seed(scope: ScopeKey, text = "seed text") {
      const ep = makeEpisode(scope, { text });
      const mem = makeMemory(scope, [ep.id], { text });
      await store.commit({ scope, episodes: [ep], memories: [mem] });
      return { ep, mem };
    }

    describe("commit", () => {
      it("round-trips every row type exactly", async () => {
        const ep = makeEpisode(A, { externalId: "D1:1", attachmentText: "a photo of a lake", role: "user", agentId: "bot", metadata: { k: [1, "two", { three: null }] } });
        const seg = makeSegment(A, [ep.id], { summary: "Caroline: lake, photo" });
        const ent = makeEntity(A, "Caroline", { aliases: ["Caro"], mentionCount: 3 });
        const mem = makeMemory(A, [ep.id], {
          text: "Caroline shared a photo of a lake.",
          subject: "Caroline",
          slot: "caroline|lake",
          validFrom: at(-60),
          kind: "event",
          entityIds: [ent.id],
          segmentIds: [seg.id],
          agentId: "bot",
          expiresAt: at(10_000),
          confidence: 0.75,
          importance: 0.25,
          strength: 1.5,
          accessCount: 2,
          metadata: { lines: [{ a: 1 }] },
        });
        await store.commit({ scope: A, episodes: [ep], segments: [seg], entities: [ent], memories: [mem], history: [makeVersion(mem, "add")] });
        expect(await store.getEpisodes(A, [ep.id])).toEqual([ep]);
        expect(await store.getSegments(A, [seg.id])).toEqual([seg]);
        expect(await store.listEntities(A)).toEqual([ent]);
        expect(await store.getMemory(A.tenant, mem.id)).toEqual(mem);
        expect(await store.getMemories(A, [mem.id])).toEqual([mem]);
        expect(await store.memoryHistory(A.tenant, mem.id)).toEqual([makeVersion(mem, "add")]);
      });

      it("is atomic: a batch whose second memory has no sources throws and leaves nothing of the batch", async () => {
        await seed(B);
        const statsBefore = await store.stats();
        const genBefore = await store.generation(A);
        const e1 = makeEpisode(A, { text: "zebra crossing" });
        const e2 = makeEpisode(A, { text: "zebra stripes" });
        const good = makeMemory(A, [e1.id], { text: "zebra crossing memory" });
        const bad = makeMemory(A, [], { text: "zebra without source" });
        const seg = makeSegment(A, [e1.id, e2.id], { summary: "zebra" });
        await rejectsWith(
          store.commit({ scope: A, episodes: [e1, e2], segments: [seg], entities: [makeEntity(A, "Zebra")], memories: [good, bad], history: [makeVersion(good, "add")], vectors: [{ targetType: "memory", targetId: good.id, vector: vec(8, 1) }] }),
          ["INVALID_INPUT"],
        );
        expect(await store.stats()).toEqual(statsBefore);
        expect(await store.getEpisodes(A, [e1.id, e2.id])).toEqual([]);
        expect(await store.getMemory(A.tenant, good.id)).toBeNull();
        expect(await store.getSegments(A, [seg.id])).toEqual([]);
        expect(await store.listEntities(A)).toEqual([]);
        expect(await store.memoryHistory(A.tenant, good.id)).toEqual([]);
        expect(await store.searchText(A, "episode", ["zebra"], 10)).toEqual([]);
        expect(await store.searchText(A, "memory", ["zebra"], 10)).toEqual([]);
        expect((await store.loadVectors(A, "memory")).ids).toEqual([]);
        expect(await store.maxSeq(A)).toBe(0);
        expect(await store.generation(A)).toBe(genBefore);
        expect(await store.listUsers(A.tenant)).toEqual(["bob"]);
      });

      it("rejects rows of another scope than the batch's and writes nothing", async () => {
        const mine = makeEpisode(A);
        const theirs = makeEpisode(B);
        await rejectsWith(store.commit({ scope: A, episodes: [mine, theirs] }), ["INVALID_SCOPE"]);
        const m = makeMemory(B, [mine.id]);
        await rejectsWith(store.commit({ scope: A, memories: [m] }), ["INVALID_SCOPE"]);
        await rejectsWith(store.commit({ scope: A, entities: [makeEntity(B, "Bob")] }), ["INVALID_SCOPE"]);
        await rejectsWith(store.commit({ scope: A, segments: [makeSegment(B, [])] }), ["INVALID_SCOPE"]);
        expect((await store.stats()).episodes).toBe(0);
        expect(await store.listTenants()).toEqual([]);
      });

      it("never modifies another scope's rows, even when a row id collides", async () => {
        const { ep, mem } = await seed(A, "alice private apple");
        const seg = makeSegment(A, [ep.id], { summary: "alice segment" });
        const ent = makeEntity(A, "Alice");
        await store.commit({ scope: A, segments: [seg], entities: [ent], vectors: [{ targetType: "memory", targetId: mem.id, vector: vec(4, 1) }] });
        const before = { mem: await store.getMemory(A.tenant, mem.id), ep: await store.getEpisodes(A, [ep.id]), seg: await store.getSegments(A, [seg.id]), ents: await store.listEntities(A), vecs: await store.loadVectors(A, "memory") };

        const attempts = [
          { scope: B, memories: [{ ...mem, tenant: B.tenant, userId: B.userId, text: "bob overwrote" }] },
          { scope: B, episodes: [{ ...ep, tenant: B.tenant, userId: B.userId, text: "bob overwrote" }] },
          { scope: B, segments: [{ ...seg, tenant: B.tenant, userId: B.userId, summary: "bob overwrote" }] },
          { scope: B, entities: [{ ...ent, tenant: B.tenant, userId: B.userId, name: "Bob" }] },
          { scope: B, vectors: [{ targetType: "memory" as const, targetId: mem.id, vector: vec(4, 99) }] },
          { scope: B, history: [makeVersion(mem, "patch", { text: "bob injected history" })] },
          { scope: C, memories: [{ ...mem, tenant: C.tenant, userId: C.userId, text: "other tenant overwrote" }] },
        ];
        for (const batch of attempts) {
          try {
            await store.commit(batch);
          } catch (e) {
            expect(e).toBeInstanceOf(MnemoError);
          }
        }
        expect(await store.getMemory(A.tenant, mem.id)).toEqual(before.mem);
        expect(await store.getEpisodes(A, [ep.id])).toEqual(before.ep);
        expect(await store.getSegments(A, [seg.id])).toEqual(before.seg);
        expect(await store.listEntities(A)).toEqual(before.ents);
        expect(await store.loadVectors(A, "memory")).toEqual(before.vecs);
        expect((await store.memoryHistory(A.tenant, mem.id)).map((h) => h.text)).not.toContain("bob injected history");
        expect((await store.searchText(A, "memory", ["apple"], 10)).map((h) => h.id)).toEqual([mem.id]);
        expect(await store.searchText(A, "memory", ["overwrote"], 10)).toEqual([]);
      });

      it("upserts memories by id: every field, the text index and the entity links follow the new version", async () => {
        const ep = makeEpisode(A);
        const e1 = makeEntity(A, "Boston", { type: "place" });
        const e2 = makeEntity(A, "Denver", { type: "place" });
        const m1 = makeMemory(A, [ep.id], { text: "Caroline lives in Boston", entityIds: [e1.id], slot: "caroline|lives_in" });
        await store.commit({ scope: A, episodes: [ep], entities: [e1, e2], memories: [m1] });
        const m2: Memory = {
          ...m1,
          text: "Caroline lives in Denver",
          entityIds: [e2.id],
          version: 2,
          observedAt: at(500),
          recordedAt: at(501),
          agentId: "agent-x",
          validFrom: at(400),
          strength: 3,
          kind: "profile",
          metadata: { v: 2 },
        };
        await store.commit({ scope: A, memories: [m2] });
        expect(await store.getMemory(A.tenant, m1.id)).toEqual(m2);
        expect(await allMemories(store, A)).toHaveLength(1);
        expect(await store.searchText(A, "memory", ["boston"], 10)).toEqual([]);
        expect((await store.searchText(A, "memory", ["denver"], 10)).map((h) => h.id)).toEqual([m1.id]);
        expect((await store.getMemory(A.tenant, m1.id))?.entityIds).toEqual([e2.id]);
      });

      it("upserts segments, entities and vectors by id", async () => {
        const ep = makeEpisode(A);
        const seg = makeSegment(A, [ep.id], { summary: "pottery class" });
        const ent = makeEntity(A, "Melanie", { mentionCount: 1 });
        await store.commit({ scope: A, episodes: [ep], segments: [seg], entities: [ent], vectors: [{ targetType: "episode", targetId: ep.id, vector: vec(4, 1) }] });
        const seg2 = { ...seg, episodeIds: [ep.id, "ep_other"], endedAt: at(99), summary: "camping trip" };
        const ent2 = { ...ent, aliases: ["Mel"], mentionCount: 5 };
        await store.commit({ scope: A, segments: [seg2], entities: [ent2], vectors: [{ targetType: "episode", targetId: ep.id, vector: vec(4, 2) }] });
        expect(await store.getSegments(A, [seg.id])).toEqual([seg2]);
        expect(await store.listEntities(A)).toEqual([ent2]);
        expect(await store.searchText(A, "segment", ["pottery"], 10)).toEqual([]);
        expect((await store.searchText(A, "segment", ["camping"], 10)).map((h) => h.id)).toEqual([seg.id]);
        const v = await store.loadVectors(A, "episode");
        expect(v.ids).toEqual([ep.id]);
        closeVector(v.data, vec(4, 2));
        expect((await store.stats()).vectors).toBe(1);
      });

      it("re-committing an existing episode (same id) neither fails nor duplicates it", async () => {
        const ep = makeEpisode(A, { externalId: "D1:1", text: "walrus" });
        await store.commit({ scope: A, episodes: [ep] });
        await store.commit({ scope: A, episodes: [ep] });
        expect((await store.stats({ tenant: A.tenant, userId: A.userId })).episodes).toBe(1);
        expect(await store.listEpisodes(A)).toEqual([ep]);
        expect(await store.searchText(A, "episode", ["walrus"], 10)).toHaveLength(1);
      });

      it("assigns segments to stored episodes (episodeSegments), only within the scope", async () => {
        const ep = makeEpisode(A);
        const other = makeEpisode(B);
        await store.commit({ scope: A, episodes: [ep] });
        await store.commit({ scope: B, episodes: [other] });
        await store.commit({ scope: A, episodeSegments: [{ episodeId: ep.id, segmentId: "seg_x" }, { episodeId: other.id, segmentId: "seg_x" }] });
        expect((await store.getEpisodes(A, [ep.id]))[0]!.segmentId).toBe("seg_x");
        expect((await store.getEpisodes(B, [other.id]))[0]!.segmentId).toBeNull();
      });

      it("generation changes on every commit of the scope and only of that scope", async () => {
        expect(await store.generation(A)).toBe(0);
        const seen = new Set<number>([0]);
        for (let i = 0; i < 3; i++) {
          const before = await store.generation(A);
          const otherBefore = await store.generation(B);
          await store.commit({ scope: A, episodes: [makeEpisode(A)] });
          const after = await store.generation(A);
          expect(after).toBeGreaterThan(before);
          expect(await store.generation(B)).toBe(otherBefore);
          seen.add(after);
        }
        await store.commit({ scope: B, episodes: [makeEpisode(B)] });
        expect(await store.generation(B)).toBeGreaterThan(0);
        expect(seen.size).toBe(4);
      });

      it("generation never repeats a value seen before an erase (caches keyed by it must not serve erased data)", async () => {
        const seen: number[] = [];
        for (let i = 0; i < 3; i++) {
          await store.commit({ scope: A, episodes: [makeEpisode(A)] });
          seen.push(await store.generation(A));
        }
        await store.erase({ tenant: A.tenant, userId: A.userId });
        for (let i = 0; i < 4; i++) {
          await store.commit({ scope: A, episodes: [makeEpisode(A)] });
          const g = await store.generation(A);
          expect(seen).not.toContain(g);
          seen.push(g);
        }
        await store.erase({ tenant: A.tenant });
        await store.commit({ scope: A, episodes: [makeEpisode(A)] });
        expect(seen).not.toContain(await store.generation(A));
      });
    });

    describe("episodes", () => {
      it("findEpisodes matches by external id or by content hash, within the scope only", async () => {
        const e1 = makeEpisode(A, { externalId: "D1:1", contentHash: "h-one" });
        const e2 = makeEpisode(A, { externalId: null, contentHash: "h-two", sessionId: "s2" });
        const e3 = makeEpisode(A, { externalId: "D1:3", contentHash: "h-three" });
        const foreign = makeEpisode(B, { externalId: "D1:1", contentHash: "h-two" });
        await store.commit({ scope: A, episodes: [e1, e2, e3] });
        await store.commit({ scope: B, episodes: [foreign] });
        const byExt = await store.findEpisodes(A, { externalIds: ["D1:1", "D9:9"], hashes: [] });
        expect(byExt).toEqual([{ id: e1.id, externalId: "D1:1", contentHash: "h-one", sessionId: "s1" }]);
        const byHash = await store.findEpisodes(A, { externalIds: [], hashes: ["h-two", "nope"] });
        expect(byHash).toEqual([{ id: e2.id, externalId: null, contentHash: "h-two", sessionId: "s2" }]);
        const both = await store.findEpisodes(A, { externalIds: ["D1:3"], hashes: ["h-one"] });
        expect(both.map((x) => x.id).sort()).toEqual([e1.id, e3.id].sort());
        expect(await store.findEpisodes(A, { externalIds: [], hashes: [] })).toEqual([]);
        expect(await store.findEpisodes(C, { externalIds: ["D1:1"], hashes: ["h-one"] })).toEqual([]);
      });

      it("getEpisodes returns the episodes in the order asked, skipping missing and foreign ids", async () => {
        const eps = [makeEpisode(A), makeEpisode(A), makeEpisode(A)];
        const foreign = makeEpisode(B);
        await store.commit({ scope: A, episodes: eps });
        await store.commit({ scope: B, episodes: [foreign] });
        const got = await store.getEpisodes(A, [eps[2]!.id, "ep_missing", eps[0]!.id, foreign.id, eps[1]!.id]);
        expect(got.map((e) => e.id)).toEqual([eps[2]!.id, eps[0]!.id, eps[1]!.id]);
        expect(await store.getEpisodes(A, [])).toEqual([]);
      });

      it("listEpisodes is in time order (occurredAt, then seq) with session, after and limit filters", async () => {
        const e1 = makeEpisode(A, { occurredAt: at(30), seq: 1, sessionId: "s1" });
        const e2 = makeEpisode(A, { occurredAt: at(10), seq: 2, sessionId: "s2" });
        const e3 = makeEpisode(A, { occurredAt: at(20), seq: 4, sessionId: "s1" });
        const e4 = makeEpisode(A, { occurredAt: at(20), seq: 3, sessionId: "s2" });
        await store.commit({ scope: A, episodes: [e1, e2] });
        await store.commit({ scope: A, episodes: [e3, e4] });
        await store.commit({ scope: B, episodes: [makeEpisode(B, { occurredAt: at(15) })] });
        expect((await store.listEpisodes(A)).map((e) => e.id)).toEqual([e2.id, e4.id, e3.id, e1.id]);
        expect((await store.listEpisodes(A, { sessionId: "s1" })).map((e) => e.id)).toEqual([e3.id, e1.id]);
        expect((await store.listEpisodes(A, { after: at(10) })).map((e) => e.id)).toEqual([e4.id, e3.id, e1.id]);
        expect((await store.listEpisodes(A, { limit: 2 })).map((e) => e.id)).toEqual([e2.id, e4.id]);
        expect(await store.listEpisodes({ tenant: "t1", userId: "nobody" })).toEqual([]);
      });

      it("maxSeq is 0 for an empty scope and the highest seq otherwise", async () => {
        expect(await store.maxSeq(A)).toBe(0);
        await store.commit({ scope: A, episodes: [makeEpisode(A, { seq: 7 }), makeEpisode(A, { seq: 3 })] });
        await store.commit({ scope: B, episodes: [makeEpisode(B, { seq: 100 })] });
        expect(await store.maxSeq(A)).toBe(7);
        expect(await store.maxSeq(B)).toBe(100);
      });
    });

    describe("segments", () => {
      it("getSegments by id and lastSegment by end time per session (null session included)", async () => {
        const s1 = makeSegment(A, [], { sessionId: "s1", endedAt: at(10) });
        const s2 = makeSegment(A, [], { sessionId: "s1", endedAt: at(30) });
        const s3 = makeSegment(A, [], { sessionId: "s1", endedAt: at(20) });
        const n1 = makeSegment(A, [], { sessionId: null, endedAt: at(5) });
        const foreign = makeSegment(B, [], { sessionId: "s1", endedAt: at(99) });
        await store.commit({ scope: A, segments: [s1, s2, s3, n1] });
        await store.commit({ scope: B, segments: [foreign] });
        expect((await store.getSegments(A, [s3.id, s1.id, foreign.id])).map((s) => s.id)).toEqual([s3.id, s1.id]);
        expect(await store.lastSegment(A, "s1")).toEqual(s2);
        expect(await store.lastSegment(A, null)).toEqual(n1);
        expect(await store.lastSegment(A, "s9")).toBeNull();
        expect(await store.lastSegment(B, null)).toBeNull();
      });
    });

    describe("memories", () => {
      it("getMemory is confined to the tenant; getMemories to the scope", async () => {
        const { mem } = await seed(A);
        expect((await store.getMemory("t1", mem.id))?.id).toBe(mem.id);
        expect(await store.getMemory("t2", mem.id)).toBeNull();
        expect(await store.getMemory("t1", "mem_missing")).toBeNull();
        expect(await store.getMemories(B, [mem.id])).toEqual([]);
        expect(await store.getMemories(C, [mem.id])).toEqual([]);
      });

      it("listMemories paginates newest first with no duplicates and no gaps", async () => {
        const ep = makeEpisode(A);
        await store.commit({ scope: A, episodes: [ep] });
        const ids: string[] = [];
        for (let i = 0; i < 23; i++) {
          const m = makeMemory(A, [ep.id], { text: `fact number ${i}` });
          ids.push(m.id);
          await store.commit({ scope: A, memories: [m] });
        }
        await seed(B);
        for (const limit of [1, 5, 7, 23, 50]) {
          const got: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          for (;;) {
            const page = await store.listMemories({ tenant: "t1", userId: "alice", limit, cursor });
            expect(page.items.length).toBeLessThanOrEqual(limit);
            got.push(...page.items.map((m) => m.id));
            pages++;
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          expect(got).toEqual([...ids].reverse());
          expect(pages).toBe(Math.max(1, Math.ceil(23 / limit)));
        }
      });

      it("listMemories filters by kinds, user, agent and hides invalidated/forgotten unless asked", async () => {
        const ep = makeEpisode(A);
        const fact = makeMemory(A, [ep.id], { kind: "fact" });
        const event = makeMemory(A, [ep.id], { kind: "event", agentId: "bot" });
        const pref = makeMemory(A, [ep.id], { kind: "preference" });
        const invalid = makeMemory(A, [ep.id], { kind: "fact", invalidatedAt: at(5), validTo: at(5) });
        const forgotten = makeMemory(A, [ep.id], { kind: "fact", forgottenAt: at(6) });
        await store.commit({ scope: A, episodes: [ep], memories: [fact, event, pref, invalid, forgotten] });
        const { mem: bobs } = await seed(B);
        const list = async (f: Partial<Parameters<Store["listMemories"]>[0]>) =>
          (await store.listMemories({ tenant: "t1", userId: "alice", ...f })).items.map((m) => m.id).sort();
        expect(await list({})).toEqual([fact.id, event.id, pref.id].sort());
        expect(await list({ kinds: ["fact"] })).toEqual([fact.id]);
        expect(await list({ kinds: ["event", "preference"] })).toEqual([event.id, pref.id].sort());
        expect(await list({ includeInvalidated: true })).toEqual([fact.id, event.id, pref.id, invalid.id].sort());
        expect(await list({ includeForgotten: true })).toEqual([fact.id, event.id, pref.id, forgotten.id].sort());
        expect(await list({ includeInvalidated: true, includeForgotten: true, kinds: ["fact"] })).toEqual([fact.id, invalid.id, forgotten.id].sort());
        expect(await list({ agentId: "bot" })).toEqual([event.id]);
        const tenantWide = (await store.listMemories({ tenant: "t1" })).items.map((m) => m.id).sort();
        expect(tenantWide).toEqual([fact.id, event.id, pref.id, bobs.id].sort());
        expect((await store.listMemories({ tenant: "t2" })).items).toEqual([]);
      });

      it("listMemories rejects a malformed cursor with INVALID_INPUT", async () => {
        await rejectsWith(store.listMemories({ tenant: "t1", userId: "alice", cursor: "!!not a cursor!!" }), ["INVALID_INPUT"]);
        // regression: SQLite read "2s junk" as the cursor "2s" (parseInt stops at the space); PostgreSQL refused it
        await rejectsWith(store.listMemories({ tenant: "t1", userId: "alice", cursor: "2s junk" }), ["INVALID_INPUT"]);
      });

      it("listMemoryTexts pages the scope's active memories newest first as id, slot and text, with no gaps, and rejects a malformed cursor", async () => {
        const ep = makeEpisode(A);
        const active = Array.from({ length: 7 }, (_, i) => makeMemory(A, [ep.id], { text: `fact number ${i}`, slot: i === 3 ? "alice|lives_in" : null }));
        const invalid = makeMemory(A, [ep.id], { invalidatedAt: at(5), validTo: at(5) });
        const forgotten = makeMemory(A, [ep.id], { forgottenAt: at(6) });
        for (const m of [...active.slice(0, 4), invalid, forgotten, ...active.slice(4)]) await store.commit({ scope: A, episodes: [ep], memories: [m] });
        await seed(B);
        for (const limit of [1, 3, 7, 100]) {
          const got: Array<{ id: string; slot: string | null; text: string }> = [];
          let cursor: string | undefined;
          for (;;) {
            const page = await store.listMemoryTexts(A, { limit, cursor });
            expect(page.items.length).toBeLessThanOrEqual(limit);
            got.push(...page.items);
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          expect(got).toEqual([...active].reverse().map((m) => ({ id: m.id, slot: m.slot, text: m.text })));
        }
        expect((await store.listMemoryTexts({ tenant: "t2", userId: "alice" })).items).toEqual([]);
        await rejectsWith(store.listMemoryTexts(A, { cursor: "!!not a cursor!!" }), ["INVALID_INPUT"]);
      });

      it("memoriesBySlot returns only active memories of the scope holding the slots", async () => {
        const ep = makeEpisode(A);
        const active = makeMemory(A, [ep.id], { slot: "caroline|lives_in" });
        const job = makeMemory(A, [ep.id], { slot: "caroline|job" });
        const invalid = makeMemory(A, [ep.id], { slot: "caroline|lives_in", invalidatedAt: at(1), validTo: at(1) });
        const forgotten = makeMemory(A, [ep.id], { slot: "caroline|lives_in", forgottenAt: at(1) });
        const other = makeMemory(A, [ep.id], { slot: "caroline|age" });
        await store.commit({ scope: A, episodes: [ep], memories: [active, job, invalid, forgotten, other] });
        const epB = makeEpisode(B);
        await store.commit({ scope: B, episodes: [epB], memories: [makeMemory(B, [epB.id], { slot: "caroline|lives_in" })] });
        expect((await store.memoriesBySlot(A, ["caroline|lives_in"])).map((m) => m.id)).toEqual([active.id]);
        expect((await store.memoriesBySlot(A, ["caroline|lives_in", "caroline|job"])).map((m) => m.id).sort()).toEqual([active.id, job.id].sort());
        expect(await store.memoriesBySlot(A, [])).toEqual([]);
        expect(await store.memoriesBySlot(A, ["nobody|x"])).toEqual([]);
      });

      it("memoryHistory gives back each version as committed through a memory's life: add, reinforce, update, patch of sources, invalidate (issue 9: a store may keep versions equal to the current row without a copy)", async () => {
        const { ep, mem } = await seed(A);
        const ep2 = makeEpisode(A, { text: "another turn" });
        await store.commit({ scope: A, episodes: [ep2] });
        const fresh = makeMemory(A, [ep.id], { text: "Caroline lives in Paris", recordedAt: at(5), version: 1 });
        const steps: Array<{ m: Memory; op: "add" | "reinforce" | "update" | "patch" | "invalidate"; reason: string | null; at: string }> = [
          { m: fresh, op: "add", reason: null, at: at(5) },
          { m: fresh, op: "reinforce", reason: "repeated", at: at(6) },
          { m: { ...fresh, version: 2, text: "Caroline lives in Paris, France", recordedAt: at(7) }, op: "update", reason: "refined", at: at(7) },
          { m: { ...fresh, version: 3, text: "Caroline lives in Paris, France", sources: [ep.id, ep2.id], recordedAt: at(7) }, op: "patch", reason: null, at: at(8) },
          { m: { ...fresh, version: 4, text: "Caroline lives in Paris, France", sources: [ep.id, ep2.id], validTo: at(9), invalidatedAt: at(9), recordedAt: at(7) }, op: "invalidate", reason: "contradicted", at: at(9) },
        ];
        const want: MemoryVersion[] = [];
        for (const s of steps) {
          const v = makeVersion(s.m, s.op, { reason: s.reason, at: s.at });
          want.push(v);
          await store.commit({ scope: A, memories: [s.m], history: [v] });
          expect(await store.memoryHistory(A.tenant, fresh.id)).toEqual(want);
        }
        expect(await store.memoryHistory(A.tenant, mem.id)).toEqual([]);
      });

      it("memoryHistory lists every version oldest first, within the tenant", async () => {
        const { mem } = await seed(A);
        const v2 = { ...mem, version: 2, text: "second" };
        const v3 = { ...mem, version: 3, text: "third" };
        await store.commit({ scope: A, memories: [v3], history: [makeVersion(v3, "update"), makeVersion(v2, "update")] });
        await store.commit({ scope: A, history: [makeVersion(mem, "add"), makeVersion(v3, "reinforce", { text: "third again" })] });
        const h = await store.memoryHistory(A.tenant, mem.id);
        expect(h.map((x) => [x.version, x.op, x.text])).toEqual([
          [1, "add", mem.text],
          [2, "update", "second"],
          [3, "update", "third"],
          [3, "reinforce", "third again"],
        ]);
        expect(await store.memoryHistory("t2", mem.id)).toEqual([]);
        expect(await store.memoryHistory(A.tenant, "mem_missing")).toEqual([]);
      });

      it("touchMemories bumps access count, last access and strength, only in the scope", async () => {
        const { mem } = await seed(A);
        const { mem: bobs } = await seed(B);
        await store.touchMemories(A, [mem.id, bobs.id, "mem_missing"], at(1000), 0.25);
        await store.touchMemories(A, [mem.id], at(2000), 0.25);
        await store.touchMemories(A, [], at(3000), 1);
        const m = (await store.getMemory(A.tenant, mem.id))!;
        expect(m.accessCount).toBe(mem.accessCount + 2);
        expect(m.lastAccessedAt).toBe(at(2000));
        expect(m.strength).toBeCloseTo(mem.strength + 0.5, 10);
        expect(m.text).toBe(mem.text);
        expect(await store.getMemory(B.tenant, bobs.id)).toEqual(bobs);
      });
    });

    describe("entities and graph", () => {
      it("listEntities returns the scope's entities only", async () => {
        const e1 = makeEntity(A, "Caroline");
        const e2 = makeEntity(A, "Boston", { type: "place" });
        await store.commit({ scope: A, entities: [e1, e2] });
        await store.commit({ scope: B, entities: [makeEntity(B, "Bob")] });
        await store.commit({ scope: C, entities: [makeEntity(C, "Carol")] });
        expect((await store.listEntities(A)).map((e) => e.id).sort()).toEqual([e1.id, e2.id].sort());
        expect(await store.listEntities({ tenant: "t1", userId: "nobody" })).toEqual([]);
      });
    });

    describe("searchText", () => {
      async function corpus() {
        const ep = makeEpisode(A);
        const mk = (text: string) => makeMemory(A, [ep.id], { text });
        const mine = {
          once: mk("apple pie recipe with cinnamon and butter"),
          thrice: mk("apple apple apple orchard"),
          none1: mk("banana bread"),
          none2: mk("cherry tart with cream"),
          none3: mk("grape juice"),
          none4: mk("lemon curd tart"),
          or: mk("tea or coffee in the morning"),
        };
        await store.commit({ scope: A, episodes: [ep], memories: Object.values(mine) });
        const epB = makeEpisode(B);
        const theirs = makeMemory(B, [epB.id], { text: "apple apple apple apple apple" });
        await store.commit({ scope: B, episodes: [epB], memories: [theirs] });
        const epC = makeEpisode(C);
        const otherTenant = makeMemory(C, [epC.id], { text: "apple apple apple apple orchard" });
        await store.commit({ scope: C, episodes: [epC], memories: [otherTenant] });
        return { mine, theirs, otherTenant };
      }

      it("ranks by BM25: more occurrences of the query term rank first; scores are descending", async () => {
        const { mine } = await corpus();
        const hits = await store.searchText(A, "memory", ["apple"], 10);
        expect(hits.map((h) => h.id)).toEqual([mine.thrice.id, mine.once.id]);
        expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
        const multi = await store.searchText(A, "memory", ["tart", "cream"], 10);
        expect(multi.map((h) => h.id)).toEqual([mine.none2.id, mine.none4.id]);
        for (let i = 1; i < multi.length; i++) expect(multi[i - 1]!.score).toBeGreaterThanOrEqual(multi[i]!.score);
        expect(await store.searchText(A, "memory", ["apple"], 1)).toHaveLength(1);
        expect(await store.searchText(A, "memory", [], 10)).toEqual([]);
        expect(await store.searchText(A, "memory", ["durian"], 10)).toEqual([]);
      });

      it("never returns another user's or tenant's documents", async () => {
        const { mine, theirs, otherTenant } = await corpus();
        const hits = (await store.searchText(A, "memory", ["apple", "orchard"], 50)).map((h) => h.id);
        expect(hits).not.toContain(theirs.id);
        expect(hits).not.toContain(otherTenant.id);
        expect(hits.sort()).toEqual([mine.once.id, mine.thrice.id].sort());
        expect((await store.searchText(B, "memory", ["apple"], 50)).map((h) => h.id)).toEqual([theirs.id]);
        expect(await store.searchText({ tenant: "t1", userId: "nobody" }, "memory", ["apple"], 50)).toEqual([]);
      });

      it("searches each target separately: episode text and attachment, segment summaries", async () => {
        const ep = makeEpisode(A, { text: "look at this", attachmentText: "a photo of a sunflower field" });
        const seg = makeSegment(A, [ep.id], { summary: "Caroline: gardening, sunflower" });
        const mem = makeMemory(A, [ep.id], { text: "Caroline grows tulips" });
        await store.commit({ scope: A, episodes: [ep], segments: [seg], memories: [mem] });
        expect((await store.searchText(A, "episode", ["sunflower"], 10)).map((h) => h.id)).toEqual([ep.id]);
        expect((await store.searchText(A, "segment", ["sunflower"], 10)).map((h) => h.id)).toEqual([seg.id]);
        expect(await store.searchText(A, "memory", ["sunflower"], 10)).toEqual([]);
        expect((await store.searchText(A, "memory", ["tulips"], 10)).map((h) => h.id)).toEqual([mem.id]);
        expect(await store.searchText(A, "episode", ["tulips"], 10)).toEqual([]);
      });

      it("treats query syntax in terms as plain text and never throws", async () => {
        const { mine } = await corpus();
        const weird = ['"', "*", "OR", "AND", "NOT", "NEAR(", "NEAR(apple banana)", "-", ":", "^", "+", "(", ")", "{", "}", "'", "a:b", "text:apple", "sk:x", "'", "", " ", "\u0000", "x\u0000y", "apple*", "-apple", '"apple"', "apple OR banana", "(apple", "é", "中文", "😀"];
        for (const t of weird) {
          const hits = await store.searchText(A, "memory", [t], 10);
          for (const h of hits) expect(Object.values(mine).map((m) => m.id)).toContain(h.id);
        }
        expect(await store.searchText(A, "memory", weird, 10)).toBeInstanceOf(Array);
        // Operators are words, not syntax: "OR" finds the memory containing the word "or", nothing else.
        expect((await store.searchText(A, "memory", ["OR"], 10)).map((h) => h.id)).toEqual([mine.or.id]);
        // A negation prefix does not exclude, a quote does not break the query.
        expect((await store.searchText(A, "memory", ['"apple"'], 10)).map((h) => h.id).sort()).toEqual([mine.once.id, mine.thrice.id].sort());
        expect((await store.searchText(A, "memory", ["-apple"], 10)).map((h) => h.id).sort()).toEqual([mine.once.id, mine.thrice.id].sort());
      });

      it("property: any terms never throw and never leak other scopes", async () => {
        const { mine } = await corpus();
        const allowed = new Set(Object.values(mine).map((m) => m.id));
        await fc.assert(
          fc.asyncProperty(fc.array(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.constantFrom("apple", "OR", "NEAR(", '"', "*", "sk:", "-", ":")), { maxLength: 6 }), async (terms) => {
            const hits = await store.searchText(A, "memory", terms, 20);
            for (const h of hits) expect(allowed.has(h.id)).toBe(true);
          }),
          { numRuns: 150 },
        );
      });
    });

    describe("vectors", () => {
      it("loadVectors round-trips Float32 values within half an 8-bit step of the largest component, per scope and target", async () => {
        // The contract (issue 9): a store may keep vectors as 8-bit codes and a scale (SQLite
        // does; PostgreSQL keeps pgvector's float4, exact): each component reads back within
        // max|v| / 254 of what was written. Embeddings are finite: so are these values.
        await fc.assert(
          fc.asyncProperty(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e30), max: Math.fround(1e30) }), { minLength: 1, maxLength: 16 }), fc.nat({ max: 3 }), async (vals, offset) => {
            const dim = vals.length;
            // A view with a non-zero byte offset, as produced by subarray().
            const backing = new Float32Array(dim + offset + 1);
            backing.set(vals, offset);
            const v = backing.subarray(offset, offset + dim);
            const id = `mem_v${Math.random().toString(36).slice(2)}`;
            await store.commit({ scope: A, vectors: [{ targetType: "memory", targetId: id, vector: v }] });
            const m = await store.loadVectors(A, "memory");
            const i = m.ids.indexOf(id);
            expect(i).toBeGreaterThanOrEqual(0);
            expect(m.dim).toBe(dim);
            const got = m.data.subarray(i * dim, (i + 1) * dim);
            const tol = Math.max(...Array.from(v, Math.abs)) / 254;
            for (let j = 0; j < dim; j++) expect(Math.abs(got[j]! - v[j]!)).toBeLessThanOrEqual(tol * (1 + 1e-6) + 1e-38);
            await store.clearVectors();
          }),
          { numRuns: 60 },
        );
      });

      it("loadVectors packs rows row-major and separates targets and scopes; count and clear", async () => {
        const vs = [vec(6, 1), vec(6, 2), vec(6, 3)];
        await store.commit({ scope: A, vectors: [{ targetType: "memory", targetId: "m1", vector: vs[0]! }, { targetType: "memory", targetId: "m2", vector: vs[1]! }, { targetType: "episode", targetId: "e1", vector: vs[2]! }] });
        await store.commit({ scope: B, vectors: [{ targetType: "memory", targetId: "mb", vector: vec(6, 9) }] });
        const m = await store.loadVectors(A, "memory");
        expect(m.dim).toBe(6);
        expect(m.data.length).toBe(12);
        for (const [k, id] of m.ids.entries()) closeVector(m.data.subarray(k * 6, k * 6 + 6), vs[id === "m1" ? 0 : 1]!);
        expect(m.ids.sort()).toEqual(["m1", "m2"]);
        expect((await store.loadVectors(A, "episode")).ids).toEqual(["e1"]);
        expect((await store.loadVectors(A, "segment")).ids).toEqual([]);
        expect((await store.loadVectors(C, "memory")).ids).toEqual([]);
        expect((await store.stats()).vectors).toBe(4);
        await store.clearVectors();
        expect((await store.stats()).vectors).toBe(0);
        expect((await store.loadVectors(A, "memory")).data.length).toBe(0);
      });
    });

    describe("search in the store (issue 9)", () => {
      const unit = (xs: number[]) => {
        const v = new Float32Array(xs);
        const n = Math.hypot(...xs);
        return v.map((x) => x / n);
      };

      it("searchText with entityIds keeps only memories linked to one of those entities, ranked as without (issue 9)", async () => {
        const ep = makeEpisode(A, { text: "moved to Boston from Sweden" });
        const boston = makeEntity(A, "Boston", { type: "place" });
        const sweden = makeEntity(A, "Sweden", { type: "place" });
        const m1 = makeMemory(A, [ep.id], { text: "Caroline moved to Boston", entityIds: [boston.id] });
        const m2 = makeMemory(A, [ep.id], { text: "Caroline moved from Sweden, moved twice", entityIds: [sweden.id, boston.id] });
        const m3 = makeMemory(A, [ep.id], { text: "Caroline moved house", entityIds: [] });
        await store.commit({ scope: A, episodes: [ep], entities: [boston, sweden], memories: [m1, m2, m3] });
        const all = (await store.searchText(A, "memory", ["moved"], 10)).map((h) => h.id);
        expect(all.sort()).toEqual([m1.id, m2.id, m3.id].sort());
        const linked = await store.searchText(A, "memory", ["moved"], 10, { entityIds: [boston.id] });
        expect(linked.map((h) => h.id).sort()).toEqual([m1.id, m2.id].sort());
        expect((await store.searchText(A, "memory", ["moved"], 10, { entityIds: [sweden.id] })).map((h) => h.id)).toEqual([m2.id]);
        expect((await store.searchText(A, "memory", ["moved"], 1, { entityIds: [boston.id, sweden.id] })).length).toBe(1);
        expect(await store.searchText(A, "memory", ["moved"], 10, { entityIds: [] })).toEqual([]);
        expect(await store.searchText(A, "episode", ["moved"], 10, { entityIds: [boston.id] })).toEqual([]);
        expect(await store.searchText(B, "memory", ["moved"], 10, { entityIds: [boston.id] })).toEqual([]);
      });

      it("searchText with a time window keeps only rows whose event time is in [from, to)", async () => {
        const early = makeEpisode(A, { text: "hiking trip in the hills", occurredAt: "2023-05-01T10:00:00.000Z" });
        const late = makeEpisode(A, { text: "hiking again near the lake", occurredAt: "2023-06-01T10:00:00.000Z" });
        const m1 = makeMemory(A, [early.id], { text: "Caroline went hiking", observedAt: "2023-07-01T00:00:00.000Z", validFrom: "2023-05-01T00:00:00.000Z" });
        const m2 = makeMemory(A, [late.id], { text: "Caroline likes hiking", observedAt: "2023-06-02T00:00:00.000Z", validFrom: null });
        await store.commit({ scope: A, episodes: [early, late], memories: [m1, m2] });
        const may = { from: "2023-05-01T00:00:00.000Z", to: "2023-06-01T00:00:00.000Z" };
        expect((await store.searchText(A, "episode", ["hiking"], 10, may)).map((h) => h.id)).toEqual([early.id]);
        expect((await store.searchText(A, "episode", ["hiking"], 10, { from: "2023-06-01T10:00:00.000Z" })).map((h) => h.id)).toEqual([late.id]);
        expect((await store.searchText(A, "episode", ["hiking"], 10, { to: "2023-05-01T10:00:00.000Z" })).map((h) => h.id)).toEqual([]);
        // A memory's event time is validFrom when set, else observedAt.
        expect((await store.searchText(A, "memory", ["hiking"], 10, may)).map((h) => h.id)).toEqual([m1.id]);
        expect((await store.searchText(A, "memory", ["hiking"], 10, { from: "2023-06-01T00:00:00.000Z" })).map((h) => h.id)).toEqual([m2.id]);
        expect((await store.searchText(A, "memory", ["hiking"], 10, {})).map((h) => h.id).sort()).toEqual([m1.id, m2.id].sort());
        expect(await store.searchText(B, "episode", ["hiking"], 10, may)).toEqual([]);
      });

      it("searchVectors returns the k most similar rows best first, cosine scores, per scope and target", async () => {
        const rows = [
          { targetType: "episode" as const, targetId: "e_x", vector: unit([1, 0, 0]) },
          { targetType: "episode" as const, targetId: "e_xy", vector: unit([1, 1, 0]) },
          { targetType: "episode" as const, targetId: "e_z", vector: unit([0, 0, 1]) },
          { targetType: "episode" as const, targetId: "e_negx", vector: unit([-1, 0, 0]) },
          { targetType: "memory" as const, targetId: "m_x", vector: unit([1, 0, 0]) },
        ];
        await store.commit({ scope: A, vectors: rows });
        await store.commit({ scope: B, vectors: [{ targetType: "episode", targetId: "b_x", vector: unit([1, 0, 0]) }] });
        const hits = await store.searchVectors(A, "episode", unit([1, 0.1, 0]), 3);
        expect(hits.map((h) => h.id)).toEqual(["e_x", "e_xy", "e_z"]);
        expect(hits[0]!.score).toBeCloseTo(Math.cos(Math.atan(0.1)), 5);
        expect(hits[2]!.score).toBeCloseTo(0, 5);
        expect((await store.searchVectors(A, "episode", unit([1, 0, 0]), 10)).map((h) => h.id)).toEqual(["e_x", "e_xy", "e_z", "e_negx"]);
        expect((await store.searchVectors(A, "memory", unit([0, 1, 0]), 10)).map((h) => h.id)).toEqual(["m_x"]);
        expect(await store.searchVectors(A, "segment", unit([0, 1, 0]), 10)).toEqual([]);
        expect(await store.searchVectors(C, "episode", unit([0, 1, 0]), 10)).toEqual([]);
        expect(await store.searchVectors(A, "episode", unit([1, 0, 0]), 0)).toEqual([]);
      });

      it("searchVectors sees every later commit: new rows, replaced vectors, cleared vectors (regression: recall after a write)", async () => {
        await store.commit({ scope: A, vectors: [{ targetType: "memory", targetId: "m1", vector: unit([1, 0]) }] });
        expect((await store.searchVectors(A, "memory", unit([0, 1]), 5)).map((h) => h.id)).toEqual(["m1"]);
        await store.commit({ scope: A, vectors: [{ targetType: "memory", targetId: "m2", vector: unit([0, 1]) }] });
        expect((await store.searchVectors(A, "memory", unit([0, 1]), 5)).map((h) => h.id)).toEqual(["m2", "m1"]);
        await store.commit({ scope: A, vectors: [{ targetType: "memory", targetId: "m1", vector: unit([0.1, 1]) }, { targetType: "memory", targetId: "m2", vector: unit([1, 0]) }] });
        expect((await store.searchVectors(A, "memory", unit([0, 1]), 5)).map((h) => h.id)).toEqual(["m1", "m2"]);
        await store.clearVectors();
        expect(await store.searchVectors(A, "memory", unit([0, 1]), 5)).toEqual([]);
        await store.commit({ scope: A, vectors: [{ targetType: "memory", targetId: "m3", vector: unit([0, 1]) }] });
        expect((await store.searchVectors(A, "memory", unit([0, 1]), 5)).map((h) => h.id)).toEqual(["m3"]);
      });

      it("searchVectors refuses a query of another dimension (EMBEDDER_MISMATCH)", async () => {
        await store.commit({ scope: A, vectors: [{ targetType: "memory", targetId: "m1", vector: unit([1, 0, 0]) }] });
        await rejectsWith(store.searchVectors(A, "memory", unit([1, 0]), 5), ["EMBEDDER_MISMATCH"]);
      });

      it("linkedMemories: per key, the count of not-forgotten memories and the newest ids, within the scope", async () => {
        const ep1 = makeEpisode(A);
        const ep2 = makeEpisode(A);
        const seg = makeSegment(A, [ep1.id]);
        const caro = makeEntity(A, "Caroline");
        const boston = makeEntity(A, "Boston", { type: "place" });
        const m1 = makeMemory(A, [ep1.id], { entityIds: [caro.id], segmentIds: [seg.id] });
        const m2 = makeMemory(A, [ep1.id, ep2.id], { entityIds: [caro.id, boston.id] });
        const m3 = makeMemory(A, [ep2.id], { entityIds: [caro.id], invalidatedAt: at(5) });
        const gone = makeMemory(A, [ep2.id], { entityIds: [caro.id], forgottenAt: at(5) });
        await store.commit({ scope: A, episodes: [ep1, ep2], segments: [seg], entities: [caro, boston], memories: [m1, m2] });
        await store.commit({ scope: A, memories: [m3, gone] });
        const epB = makeEpisode(B);
        const caroB = makeEntity(B, "Caroline");
        await store.commit({ scope: B, episodes: [epB], entities: [caroB], memories: [makeMemory(B, [epB.id], { entityIds: [caroB.id] })] });
        expect(await store.linkedMemories(A, "entity", [caroB.id], 10)).toEqual([{ key: caroB.id, count: 0, memoryIds: [] }]);

        const [c, b, none] = await store.linkedMemories(A, "entity", [caro.id, boston.id, "ent_missing"], 10);
        expect(c).toEqual({ key: caro.id, count: 3, memoryIds: [m3.id, m2.id, m1.id] });
        expect(b).toEqual({ key: boston.id, count: 1, memoryIds: [m2.id] });
        expect(none).toEqual({ key: "ent_missing", count: 0, memoryIds: [] });
        // The limit keeps the newest; the count stays the degree.
        expect(await store.linkedMemories(A, "entity", [caro.id], 2)).toEqual([{ key: caro.id, count: 3, memoryIds: [m3.id, m2.id] }]);
        expect(await store.linkedMemories(A, "source", [ep1.id, ep2.id], 10)).toEqual([
          { key: ep1.id, count: 2, memoryIds: [m2.id, m1.id] },
          { key: ep2.id, count: 2, memoryIds: [m3.id, m2.id] },
        ]);
        expect(await store.linkedMemories(A, "segment", [seg.id], 10)).toEqual([{ key: seg.id, count: 1, memoryIds: [m1.id] }]);
        expect(await store.linkedMemories(C, "entity", [caro.id], 10)).toEqual([{ key: caro.id, count: 0, memoryIds: [] }]);

        // A rewrite moves the links; forgetting removes them.
        await store.commit({ scope: A, memories: [{ ...m1, entityIds: [boston.id], sources: [ep2.id], version: 2 }, { ...m2, forgottenAt: at(9) }] });
        expect((await store.linkedMemories(A, "entity", [caro.id, boston.id], 10)).map((l) => l.memoryIds)).toEqual([[m3.id], [m1.id]]);
        expect((await store.linkedMemories(A, "source", [ep1.id], 10))[0]!.count).toBe(0);
        await store.erase(A);
        expect((await store.linkedMemories(A, "entity", [boston.id], 10))[0]!.count).toBe(0);
        expect((await store.linkedMemories(B, "entity", [caroB.id], 10))[0]!.count).toBe(1);
      });

      it("episodeNeighbours: the turns before and after in time order (occurredAt, then seq), nearest first", async () => {
        const t = "2023-05-08T10:00:00.000Z";
        const e = [0, 1, 2, 3, 4].map((i) => makeEpisode(A, { occurredAt: i < 3 ? t : at(10_000 + i), seq: 100 + i, sessionId: i < 4 ? "s1" : "s2" }));
        await store.commit({ scope: A, episodes: [...e].reverse() });
        await store.commit({ scope: B, episodes: [makeEpisode(B, { occurredAt: t, seq: 101 })] });
        const [n] = await store.episodeNeighbours(A, [e[2]!.id], 2);
        expect(n!.episodeId).toBe(e[2]!.id);
        expect(n!.before.map((x) => x.id)).toEqual([e[1]!.id, e[0]!.id]);
        expect(n!.after.map((x) => x.id)).toEqual([e[3]!.id, e[4]!.id]);
        expect(n!.after[1]).toEqual(e[4]);
        const [first, last] = await store.episodeNeighbours(A, [e[0]!.id, "ep_missing", e[4]!.id], 1);
        expect(first).toEqual({ episodeId: e[0]!.id, before: [], after: [e[1]] });
        expect(last!.episodeId).toBe(e[4]!.id);
        expect(last!.after).toEqual([]);
        expect(await store.episodeNeighbours(B, [e[2]!.id], 2)).toEqual([]);
      });
    });

    describe("meta", () => {
      it("get/set store-wide settings", async () => {
        expect(await store.getMeta("contract.key")).toBeNull();
        await store.setMeta("contract.key", "v1");
        expect(await store.getMeta("contract.key")).toBe("v1");
        await store.setMeta("contract.key", "v2 with ünïcode and \"quotes\"");
        expect(await store.getMeta("contract.key")).toBe("v2 with ünïcode and \"quotes\"");
        await store.setMeta("contract.other", "");
        expect(await store.getMeta("contract.other")).toBe("");
        expect(await store.getMeta("contract.key")).toBe("v2 with ünïcode and \"quotes\"");
      });
    });

    describe("erase, stats, users and tenants", () => {
      async function populate(scope: ScopeKey, word: string) {
        const ep = makeEpisode(scope, { text: `${word} episode` });
        const seg = makeSegment(scope, [ep.id], { summary: `${word} summary` });
        const ent = makeEntity(scope, `${word}Person`);
        const mem = makeMemory(scope, [ep.id], { text: `${word} memory`, entityIds: [ent.id], segmentIds: [seg.id], slot: `${word}|slot` });
        const gone = makeMemory(scope, [ep.id], { text: `${word} invalid`, invalidatedAt: at(1), validTo: at(1) });
        await store.commit({
          scope,
          episodes: [ep],
          segments: [seg],
          entities: [ent],
          memories: [mem, gone],
          history: [makeVersion(mem, "add"), makeVersion(gone, "add")],
          vectors: [
            { targetType: "episode", targetId: ep.id, vector: vec(4, 1) },
            { targetType: "memory", targetId: mem.id, vector: vec(4, 2) },
          ],
        });
        return { ep, seg, ent, mem, gone };
      }

      it("stats count per user, per tenant and store-wide (memories: active only)", async () => {
        await populate(A, "alpha");
        await populate(B, "beta");
        await populate(C, "gamma");
        const one = { episodes: 1, memories: 1, entities: 1, segments: 1, users: 1, vectors: 2 };
        expect(await store.stats({ tenant: "t1", userId: "alice" })).toEqual(one);
        expect(await store.stats({ tenant: "t1" })).toEqual({ episodes: 2, memories: 2, entities: 2, segments: 2, users: 2, vectors: 4 });
        expect(await store.stats()).toEqual({ episodes: 3, memories: 3, entities: 3, segments: 3, users: 3, vectors: 6 });
        expect(await store.stats({ tenant: "t9" })).toEqual({ episodes: 0, memories: 0, entities: 0, segments: 0, users: 0, vectors: 0 });
      });

      it("listUsers and listTenants list scopes with data", async () => {
        expect(await store.listTenants()).toEqual([]);
        await populate(A, "alpha");
        await populate(B, "beta");
        await populate(C, "gamma");
        expect((await store.listUsers("t1")).sort()).toEqual(["alice", "bob"]);
        expect(await store.listUsers("t2")).toEqual(["alice"]);
        expect(await store.listUsers("t3")).toEqual([]);
        expect((await store.listTenants()).sort()).toEqual(["t1", "t2"]);
      });

      it("erase of a user removes everything of that user and nothing of anyone else", async () => {
        const a = await populate(A, "alpha");
        const b = await populate(B, "beta");
        const c = await populate(C, "gamma");
        const bBefore = { stats: await store.stats({ tenant: "t1", userId: "bob" }), mems: await allMemories(store, B), hist: await store.memoryHistory("t1", b.mem.id), gen: await store.generation(B) };
        const counts = await store.erase({ tenant: "t1", userId: "alice" });
        expect(counts).toEqual({ episodes: 1, memories: 2, entities: 1 });
        expect(await store.stats({ tenant: "t1", userId: "alice" })).toEqual({ episodes: 0, memories: 0, entities: 0, segments: 0, users: 0, vectors: 0 });
        expect(await store.getEpisodes(A, [a.ep.id])).toEqual([]);
        expect(await store.getMemory("t1", a.mem.id)).toBeNull();
        expect(await store.getMemory("t1", a.gone.id)).toBeNull();
        expect(await store.memoryHistory("t1", a.mem.id)).toEqual([]);
        expect(await store.getSegments(A, [a.seg.id])).toEqual([]);
        expect(await store.lastSegment(A, "s1")).toBeNull();
        expect(await store.listEntities(A)).toEqual([]);
        expect(await store.searchText(A, "memory", ["alpha"], 10)).toEqual([]);
        expect(await store.searchText(A, "episode", ["alpha"], 10)).toEqual([]);
        expect(await store.searchText(A, "segment", ["alpha"], 10)).toEqual([]);
        expect((await store.loadVectors(A, "memory")).ids).toEqual([]);
        expect(await store.memoriesBySlot(A, ["alpha|slot"])).toEqual([]);
        expect(await store.maxSeq(A)).toBe(0);
        expect(await store.listUsers("t1")).toEqual(["bob"]);
        // Bob (same tenant) and alice in another tenant are untouched.
        expect(await store.stats({ tenant: "t1", userId: "bob" })).toEqual(bBefore.stats);
        expect(await allMemories(store, B)).toEqual(bBefore.mems);
        expect(await store.memoryHistory("t1", b.mem.id)).toEqual(bBefore.hist);
        expect(await store.generation(B)).toBe(bBefore.gen);
        expect((await store.searchText(B, "memory", ["beta"], 10)).map((h) => h.id).sort()).toEqual([b.mem.id, b.gone.id].sort());
        expect((await store.getMemory("t2", c.mem.id))?.text).toBe("gamma memory");
        expect((await store.searchText(C, "episode", ["gamma"], 10)).map((h) => h.id)).toEqual([c.ep.id]);
        expect((await store.loadVectors(C, "memory")).ids).toEqual([c.mem.id]);
      });

      it("erase of a whole tenant removes all its users and leaves other tenants intact", async () => {
        await populate(A, "alpha");
        await populate(B, "beta");
        const c = await populate(C, "gamma");
        const counts = await store.erase({ tenant: "t1" });
        expect(counts).toEqual({ episodes: 2, memories: 4, entities: 2 });
        expect(await store.stats({ tenant: "t1" })).toEqual({ episodes: 0, memories: 0, entities: 0, segments: 0, users: 0, vectors: 0 });
        expect(await store.listUsers("t1")).toEqual([]);
        expect(await store.listTenants()).toEqual(["t2"]);
        expect(await store.stats({ tenant: "t2" })).toEqual({ episodes: 1, memories: 1, entities: 1, segments: 1, users: 1, vectors: 2 });
        expect((await store.searchText(C, "memory", ["gamma"], 10)).map((h) => h.id).sort()).toEqual([c.mem.id, c.gone.id].sort());
        expect(await store.erase({ tenant: "t1", userId: "alice" })).toEqual({ episodes: 0, memories: 0, entities: 0 });
      });
    });

    // Issue #11 item 2: a message can be deleted on its own (optional method).
    it("deleteEpisodes hard-deletes the scope's episodes and given memories (rows, text index, vectors, history), never another scope's", async () => {
      if (!store.deleteEpisodes) return;
      const a = await seed(A, "alice secret kumquat");
      const b = await seed(B, "bob secret kumquat");
      await store.commit({
        scope: A,
        vectors: [{ targetType: "episode", targetId: a.ep.id, vector: vec(4, 1) }, { targetType: "memory", targetId: a.mem.id, vector: vec(4, 2) }],
        history: [makeVersion(a.mem, "add")],
      });
      const gen = await store.generation(A);
      // Another scope's ids are not touched.
      expect(await store.deleteEpisodes(B, [a.ep.id], [a.mem.id])).toBe(0);
      expect(await store.getEpisodes(A, [a.ep.id])).toHaveLength(1);
      expect(await store.getMemory(A.tenant, a.mem.id)).not.toBeNull();
      expect(await store.deleteEpisodes(A, [a.ep.id], [a.mem.id])).toBe(1);
      expect(await store.getEpisodes(A, [a.ep.id])).toEqual([]);
      expect(await store.getMemory(A.tenant, a.mem.id)).toBeNull();
      expect(await store.memoryHistory(A.tenant, a.mem.id)).toEqual([]);
      expect(await store.searchText(A, "episode", ["kumquat"], 10)).toEqual([]);
      expect(await store.searchText(A, "memory", ["kumquat"], 10)).toEqual([]);
      expect((await store.loadVectors(A, "episode")).ids).toEqual([]);
      expect((await store.loadVectors(A, "memory")).ids).toEqual([]);
      expect(await store.generation(A)).toBeGreaterThan(gen);
      expect((await store.searchText(B, "episode", ["kumquat"], 10)).map((h) => h.id)).toEqual([b.ep.id]);
      expect(await store.getMemory(B.tenant, b.mem.id)).not.toBeNull();
    });

    it("rejects every call after close with CLOSED", async () => {
      await store.close();
      await rejectsWith(store.stats(), ["CLOSED"]);
      await rejectsWith(store.commit({ scope: A, episodes: [makeEpisode(A)] }), ["CLOSED"]);
      await rejectsWith(store.searchText(A, "memory", ["x"], 1), ["CLOSED"]);
      await store.close();
    });
  });
}
