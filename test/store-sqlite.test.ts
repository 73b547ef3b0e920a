import Database from "better-sqlite3";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Mnemo } from "../src/mnemo.js";
import { SqliteStore, scopeToken } from "../src/store/sqlite/index.js";
import { SCHEMA_VERSION } from "../src/store/sqlite/schema.js";
import { decodeSnapshotParts, encodeSnapshot, persistVectorSnapshots, snapshotParts } from "../src/store/sqlite/vectors.js";
import { at, expectCode, makeEpisode, makeMemory, makeVersion, tempDir } from "./support/fixtures.js";
import { runStoreContract } from "./store-contract.js";

runStoreContract("sqlite (file)", async () => {
  const { dir, cleanup } = tempDir("mnemo-contract-");
  const store = await SqliteStore.open(join(dir, "contract.db"));
  return {
    store,
    cleanup: async () => {
      await store.close();
      cleanup();
    },
  };
});

describe("SqliteStore specifics", () => {
  it("rejects a malformed cache or snapshot bound with INVALID_CONFIG before creating the file", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "bad.db");
      for (const bad of [{ cacheMinRows: -1 }, { cacheMinRows: Number.NaN }, { cacheRows: 1.5 }, { cacheBytes: -5 }, { snapshotMinVectors: Infinity }]) {
        const err = await expectCode(SqliteStore.open(path, bad), "INVALID_CONFIG");
        expect(err.message).toMatch(/must be a non-negative integer/);
        expect(existsSync(path)).toBe(false);
      }
    } finally {
      cleanup();
    }
  });

  it("a table below cacheMinRows, scored as it is read, gives the cached table's hits and scores (property, random vectors)", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "scan.db");
      const key = { tenant: "default", userId: "u" };
      let seed = 7;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
      const vec = () => Float32Array.from({ length: 16 }, rnd);
      const s = await SqliteStore.open(path);
      await s.commit({ scope: key, vectors: Array.from({ length: 300 }, (_, i) => ({ targetType: "memory" as const, targetId: `m${i}`, vector: vec() })) });
      await s.close();
      const scan = await SqliteStore.open(path); // default: 300 rows < 1,024, never cached
      const cached = await SqliteStore.open(path, { cacheMinRows: 0 });
      for (let t = 0; t < 20; t++) {
        const q = vec();
        const a = await scan.searchVectors(key, "memory", q, 10);
        const b = await cached.searchVectors(key, "memory", q, 10);
        expect(a.map((h) => h.id)).toEqual(b.map((h) => h.id));
        a.forEach((h, i) => expect(h.score).toBeCloseTo(b[i]!.score, 5));
      }
      expect(scan.vectorCache.size).toBe(0);
      expect(cached.vectorCache.size).toBe(1);
      await scan.close();
      await cached.close();
    } finally {
      cleanup();
    }
  });

  it("full-text search of a scope alone in its file (no scope token in the query) gives the hits and scores of the scoped query, and stays scoped once another user writes", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const s = await SqliteStore.open(join(dir, "alone.db"));
      const a = { tenant: "t", userId: "a" };
      const b = { tenant: "t", userId: "b" };
      const texts = ["hiking in the alps", "hiking with my sister", "a book about the alps", "sister's birthday cake", "cake and hiking"];
      const epsA = texts.map((text) => makeEpisode(a, { text }));
      await s.commit({ scope: a, episodes: epsA, memories: epsA.map((e) => makeMemory(a, [e.id], { text: e.text })) });
      const raw = (s as unknown as { db: Database.Database }).db;
      const scoped = (fts: string, main: string) =>
        raw
          .prepare(`SELECT m.id AS id, -bm25(${fts}, 1.0, 0.0, 0.3) AS score FROM ${fts} f JOIN ${main} m ON m.rid = f.rowid WHERE ${fts} MATCH ? ORDER BY bm25(${fts}, 1.0, 0.0, 0.3) LIMIT 10`)
          .all(`sk:${scopeToken(a)} AND ({text head}:"hiking" OR {text head}:"alps" OR {text head}:"cake")`);
      expect(await s.searchText(a, "episode", ["hiking", "alps", "cake"], 10)).toEqual(scoped("fts_episodes", "episodes"));
      expect(await s.searchText(a, "memory", ["hiking", "alps", "cake"], 10)).toEqual(scoped("fts_memories", "memories"));
      const epsB = texts.map((text) => makeEpisode(b, { text: text + " again" }));
      await s.commit({ scope: b, episodes: epsB, memories: epsB.map((e) => makeMemory(b, [e.id], { text: e.text })) });
      const idsA = new Set(epsA.map((e) => e.id));
      const hits = await s.searchText(a, "episode", ["hiking", "alps", "cake"], 10);
      expect(hits).toHaveLength(5);
      expect(hits.every((h) => idsA.has(h.id))).toBe(true);
      expect((await s.searchText(b, "episode", ["again"], 10)).map((h) => h.id).sort()).toEqual(epsB.map((e) => e.id).sort());
      await s.close();
    } finally {
      cleanup();
    }
  });

  it("refuses a database with a newer schema version (SCHEMA_MISMATCH) and releases the file", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "future.db");
      const s = await SqliteStore.open(path);
      await s.close();
      const raw = new Database(path);
      raw.pragma("user_version = 99");
      raw.close();
      const err = await expectCode(SqliteStore.open(path), "SCHEMA_MISMATCH");
      expect(err.message).toContain("99");
      await expectCode(Mnemo.open({ path }), "SCHEMA_MISMATCH");
      // The refused handle was closed: the file can be fixed and opened again.
      const fix = new Database(path);
      fix.pragma("user_version = 1");
      fix.close();
      const again = await SqliteStore.open(path);
      expect(await again.stats()).toMatchObject({ episodes: 0 });
      await again.close();
    } finally {
      cleanup();
    }
  });

  it("migrates a version-1 file: the memory links are backfilled (issue 9)", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "v1.db");
      const s = await SqliteStore.open(path);
      const key = { tenant: "default", userId: "u" };
      const ep = makeEpisode(key);
      const m = makeMemory(key, [ep.id], { entityIds: ["ent_x"], segmentIds: ["seg_x"] });
      await s.commit({ scope: key, episodes: [ep], memories: [m] });
      await s.close();
      const raw = new Database(path);
      raw.exec("DROP TABLE memory_links;");
      raw.pragma("user_version = 1");
      raw.close();
      const again = await SqliteStore.open(path);
      expect(await again.linkedMemories(key, "entity", ["ent_x"], 5)).toEqual([{ key: "ent_x", count: 1, memoryIds: [m.id] }]);
      expect((await again.linkedMemories(key, "source", [ep.id], 5))[0]!.memoryIds).toEqual([m.id]);
      expect((await again.linkedMemories(key, "segment", ["seg_x"], 5))[0]!.count).toBe(1);
      await again.close();
    } finally {
      cleanup();
    }
  });

  it("migrates a version-3 file: full-text tables become contentless with positions, re-indexed from the rows, same hits; vectors clustered by scope (issue 9)", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "v3.db");
      const s = await SqliteStore.open(path);
      const key = { tenant: "default", userId: "u" };
      const ep = makeEpisode(key, { text: "We went hiking near the lake" });
      const m = makeMemory(key, [ep.id], { text: "Caroline went hiking", subject: "Caroline" });
      const v = new Float32Array([0.6, 0.8, 0]);
      await s.commit({ scope: key, episodes: [ep], memories: [m], vectors: [{ targetType: "memory", targetId: m.id, vector: v }] });
      const before = { e: await s.searchText(key, "episode", ["hiking", "go"], 5), m: await s.searchText(key, "memory", ["hiking", "caroline"], 5) };
      await s.close();
      // A version-3 file: text copies in the FTS tables, no positions (and here, no rows at
      // all); vectors in a rowid table with a scope index.
      const raw = new Database(path);
      for (const t of ["fts_episodes", "fts_memories", "fts_segments"]) {
        raw.exec(`DROP TABLE ${t}; CREATE VIRTUAL TABLE ${t} USING fts5(text, sk, head, tokenize = 'porter unicode61', detail = column)`);
      }
      raw.exec(`ALTER TABLE vectors RENAME TO vectors_new;
        CREATE TABLE vectors (target_type TEXT NOT NULL, target_id TEXT NOT NULL, tenant TEXT NOT NULL, user_id TEXT NOT NULL, dim INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (target_type, target_id));
        CREATE INDEX vectors_scope ON vectors (tenant, user_id, target_type);
        DROP TABLE vectors_new;`);
      raw.prepare(`INSERT INTO vectors VALUES ('memory', ?, 'default', 'u', 3, ?)`).run(m.id, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      raw.pragma("user_version = 3");
      raw.close();
      const again = await SqliteStore.open(path);
      expect(await again.searchText(key, "episode", ["hiking", "go"], 5)).toEqual(before.e);
      expect(await again.searchText(key, "memory", ["hiking", "caroline"], 5)).toEqual(before.m);
      expect(before.e.map((h) => h.id)).toEqual([ep.id]);
      // Stored as 8-bit codes since schema 6: within half a step (max|v| / 254) per component.
      const back = await again.loadVectors(key, "memory");
      expect([back.ids, back.dim]).toEqual([[m.id], 3]);
      back.data.forEach((x, j) => expect(Math.abs(x - v[j]!)).toBeLessThanOrEqual(0.8 / 254));
      expect((await again.searchVectors(key, "memory", v, 1)).map((h) => h.id)).toEqual([m.id]);
      await again.close();
      const check = new Database(path, { readonly: true });
      expect(check.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      const sql = check.prepare(`SELECT sql FROM sqlite_master WHERE name = 'fts_episodes'`).get() as { sql: string };
      expect(sql.sql).toContain("contentless_delete");
      expect(check.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('fts_episodes_content', 'vectors_scope')`).get()).toEqual({ n: 0 });
      expect((check.prepare(`SELECT sql FROM sqlite_master WHERE name = 'vectors'`).get() as { sql: string }).sql).toContain("WITHOUT ROWID");
      check.close();
    } finally {
      cleanup();
    }
  });

  it("migrates a version-5 file to 6: vectors become 8-bit codes, history rows that repeat their memory lose their copy, hashes become bytes, link keys hashes; same answers (issue 9)", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "v5.db");
      const s = await SqliteStore.open(path);
      const key = { tenant: "default", userId: "u" };
      const ep = makeEpisode(key, { text: "We went hiking near the lake", contentHash: "6a32bd87c97138632a2ccfaad43696de82d9c8f24aac2d43f43fac4275f38f9b" });
      const m1 = makeMemory(key, [ep.id], { text: "Caroline went hiking" });
      const m2 = makeMemory(key, [ep.id], { text: "Caroline likes lakes", version: 2 });
      const v = new Float32Array([0.6, -0.8, 0.01]);
      await s.commit({ scope: key, episodes: [ep], memories: [m1, m2], vectors: [{ targetType: "memory", targetId: m1.id, vector: v }] });
      const history = [makeVersion(m1, "add"), makeVersion(m2, "add", { version: 1, text: "Caroline likes the lake" }), makeVersion(m2, "update")];
      const raw = new Database(path);
      // The version-5 layout: Float32 vectors with a dim column, history rows with every
      // column, hex hashes.
      raw.exec(`DROP TABLE vectors; CREATE TABLE vectors (tenant TEXT NOT NULL, user_id TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL,
          dim INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (tenant, user_id, target_type, target_id)) WITHOUT ROWID;
        DROP TABLE memory_history; CREATE TABLE memory_history (memory_id TEXT NOT NULL, tenant TEXT NOT NULL, user_id TEXT NOT NULL, version INTEGER NOT NULL, op TEXT NOT NULL,
          text TEXT NOT NULL, valid_from TEXT, valid_to TEXT, sources TEXT NOT NULL, at TEXT NOT NULL, reason TEXT);
        UPDATE episodes SET content_hash = lower(hex(content_hash));
        DROP TABLE memory_links; CREATE TABLE memory_links (link INTEGER NOT NULL, key TEXT NOT NULL, memory_rid INTEGER NOT NULL, PRIMARY KEY (link, key, memory_rid)) WITHOUT ROWID;
        INSERT INTO memory_links SELECT 1, j.value, m.rid FROM memories m, json_each(m.sources) j;`);
      raw.prepare(`INSERT INTO vectors VALUES ('default', 'u', 'memory', ?, 3, ?)`).run(m1.id, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      const ins = raw.prepare(`INSERT INTO memory_history VALUES (?, 'default', 'u', ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const h of history) ins.run(h.memoryId, h.version, h.op, h.text, h.validFrom, h.validTo, JSON.stringify(h.sources), h.at, h.reason);
      raw.pragma("user_version = 5");
      raw.close();
      await s.close();

      const again = await SqliteStore.open(path);
      expect(await again.memoryHistory("default", m1.id)).toEqual([history[0]]);
      expect(await again.memoryHistory("default", m2.id)).toEqual(history.slice(1));
      expect(await again.findEpisodes(key, { externalIds: [], hashes: [ep.contentHash] })).toEqual([{ id: ep.id, externalId: ep.externalId, contentHash: ep.contentHash, sessionId: ep.sessionId }]);
      expect(await again.getEpisodes(key, [ep.id])).toEqual([ep]);
      const [linked] = await again.linkedMemories(key, "source", [ep.id], 10);
      expect([linked!.key, linked!.count, [...linked!.memoryIds].sort()]).toEqual([ep.id, 2, [m1.id, m2.id].sort()]);
      const back = await again.loadVectors(key, "memory");
      back.data.forEach((x, j) => expect(Math.abs(x - v[j]!)).toBeLessThanOrEqual(0.8 / 254));
      // A later change of m1 keeps its earlier version in history.
      const m1b = { ...m1, text: "Caroline went hiking twice", version: 2 };
      await again.commit({ scope: key, memories: [m1b], history: [makeVersion(m1b, "update")] });
      expect((await again.memoryHistory("default", m1.id)).map((h) => h.text)).toEqual(["Caroline went hiking", "Caroline went hiking twice"]);
      await again.close();
      const check = new Database(path, { readonly: true });
      expect(check.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      expect(check.prepare(`SELECT typeof(content_hash) AS t, length(content_hash) AS n FROM episodes`).get()).toEqual({ t: "blob", n: 32 });
      expect(check.prepare(`SELECT length(data) AS n FROM vectors`).get()).toEqual({ n: 7 });
      // Stored without a copy: m1's first version until it changed (then copied back), m2's update.
      expect(check.prepare(`SELECT op, text IS NULL AS bare FROM memory_history ORDER BY rowid`).all()).toEqual([
        { op: "add", bare: 0 }, { op: "add", bare: 0 }, { op: "update", bare: 1 }, { op: "update", bare: 1 },
      ]);
      check.close();
    } finally {
      cleanup();
    }
  });

  it("persists the vector cache of a large table at close and reads it back when the scope has not changed since (issue 9)", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "snap.db");
      const key = { tenant: "default", userId: "u" };
      const unit = (a: number) => new Float32Array([Math.cos(a), Math.sin(a), 0]);
      const vectors = [0, 1, 2].map((i) => ({ targetType: "memory" as const, targetId: `m${i}`, vector: unit(i * 0.5) }));
      const s = await SqliteStore.open(path, { snapshotMinVectors: 2, cacheMinRows: 0 });
      await s.commit({ scope: key, vectors });
      const first = await s.searchVectors(key, "memory", unit(0), 3);
      expect(first.map((h) => h.id)).toEqual(["m0", "m1", "m2"]);
      await s.close();
      const raw = new Database(path);
      expect(raw.prepare(`SELECT target_type, gen FROM vector_snapshots`).all()).toEqual([{ target_type: "memory", gen: 1 }]);
      // Changed behind the store's back (no new generation): the snapshot is what is searched
      // (its codes are the stored rows' own since schema 6: no row is re-read).
      raw.exec(`DELETE FROM vectors WHERE target_id = 'm2'`);
      raw.close();
      const again = await SqliteStore.open(path, { snapshotMinVectors: 2, cacheMinRows: 0 });
      expect((await again.searchVectors(key, "memory", unit(0), 3)).map((h) => h.id)).toEqual(["m0", "m1", "m2"]);
      expect(again.vectorCache.loads).toBe(1);
      await again.close();
      // Another process's commit moves the generation: the snapshot is stale and the next open loads the vectors.
      const other = await SqliteStore.open(path);
      await other.commit({ scope: key, vectors: [{ targetType: "memory", targetId: "m3", vector: unit(0.1) }] });
      await other.close();
      const third = await SqliteStore.open(path, { snapshotMinVectors: 100 });
      expect((await third.searchVectors(key, "memory", unit(0), 3)).map((h) => h.id)).toEqual(["m0", "m3", "m1"]);
      await third.commit({ scope: key, vectors: [{ targetType: "memory", targetId: "m4", vector: unit(1.5) }] });
      expect((await third.searchVectors(key, "memory", unit(1.5), 1)).map((h) => h.id)).toEqual(["m4"]);
      await third.erase(key);
      await third.close();
      const check = new Database(path, { readonly: true });
      expect(check.prepare(`SELECT COUNT(*) AS n FROM vector_snapshots`).get()).toEqual({ n: 0 });
      check.close();
    } finally {
      cleanup();
    }
  });

  it("a vector snapshot is stored in rows of at most SNAPSHOT_PART_BYTES and read back whole; a missing or stale row means no snapshot (schema 7)", async () => {
    // encode → parts → decode is the identity for any sizes (property, 200 random tables)
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let t = 0; t < 200; t++) {
      const n = 1 + rnd(40);
      const dim = 1 + rnd(9);
      const ids = Array.from({ length: n }, (_, i) => `id-${t}-${i}-${"é".repeat(rnd(3))}`);
      const codes = Int8Array.from({ length: n * dim }, () => rnd(255) - 127);
      const scales = Float32Array.from({ length: n }, () => rnd(1000) / 7);
      const parts = snapshotParts(encodeSnapshot(ids, codes, scales), 1 + rnd(64));
      // read from the rows as they are (no join) and from one joined row: the same ids, scales and codes
      for (const rows of [parts, [Buffer.concat(parts)]]) {
        const back = decodeSnapshotParts(rows, dim)!;
        const dest = new Int8Array(back.codes.length);
        back.codes.copyInto(dest);
        const { text, starts } = back.ids;
        const cut = Array.from(starts, (st, i) => text.slice(st, i + 1 < starts.length ? starts[i + 1]! - 1 : text.length));
        expect([cut, back.ids.length, Array.from(back.scales), Array.from(dest)]).toEqual([ids, n, Array.from(scales), Array.from(codes)]);
      }
      expect(decodeSnapshotParts([Buffer.concat(parts.slice(0, -1))], dim)).toBeNull();
      expect(decodeSnapshotParts(parts.slice(0, -1), dim)).toBeNull();
    }
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "parts.db");
      const key = { tenant: "default", userId: "u" };
      const unit = (a: number) => new Float32Array([Math.cos(a), Math.sin(a), 0]);
      const vectors = Array.from({ length: 40 }, (_, i) => ({ targetType: "memory" as const, targetId: `m${i}`, vector: unit(i * 0.05) }));
      const s = await SqliteStore.open(path, { snapshotMinVectors: 0, cacheMinRows: 0 });
      await s.commit({ scope: key, vectors });
      const first = (await s.searchVectors(key, "memory", unit(0), 5)).map((h) => h.id);
      // persisted in 16-byte rows (the store's own close writes 256 KiB ones)
      const internals = s as unknown as { db: Database.Database; stmt: (sql: string) => Database.Statement; vectorCache: Parameters<typeof persistVectorSnapshots>[2] };
      persistVectorSnapshots(internals.db, (sql) => internals.stmt(sql), internals.vectorCache, 0, 16);
      await s.close();
      const raw = new Database(path);
      const rows = raw.prepare(`SELECT part, length(data) AS n FROM vector_snapshots ORDER BY part`).all() as Array<{ part: number; n: number }>;
      expect(rows.length).toBeGreaterThan(10);
      expect(rows.every((r, i) => r.part === i && r.n <= 16)).toBe(true);
      raw.exec(`DELETE FROM vectors WHERE target_id = 'm0'`); // behind the store's back: only the snapshot still has m0
      raw.close();
      const again = await SqliteStore.open(path, { snapshotMinVectors: 0, cacheMinRows: 0 });
      expect((await again.searchVectors(key, "memory", unit(0), 5)).map((h) => h.id)).toEqual(first);
      await again.close();
      // a part missing: the snapshot is not used, the vectors are loaded (m0 is gone from them)
      const cut = new Database(path);
      cut.exec(`DELETE FROM vector_snapshots WHERE part = 3`);
      cut.close();
      const third = await SqliteStore.open(path, { snapshotMinVectors: 100, cacheMinRows: 0 });
      expect((await third.searchVectors(key, "memory", unit(0), 5)).map((h) => h.id)).not.toContain("m0");
      await third.close();
    } finally {
      cleanup();
    }
  });

  it("a snapshot of a table the SIMD scan searches (≥ 2,048 rows) is read back into WebAssembly memory and searches exactly as before the close", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "simd.db");
      const key = { tenant: "default", userId: "u" };
      let seed = 5;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31 - 0.5);
      const vec = () => Float32Array.from({ length: 24 }, rnd);
      const vectors = Array.from({ length: 2100 }, (_, i) => ({ targetType: "episode" as const, targetId: `e${i}`, vector: vec() }));
      const queries = Array.from({ length: 5 }, vec);
      const s = await SqliteStore.open(path, { snapshotMinVectors: 1000 });
      await s.commit({ scope: key, vectors });
      const before = [];
      for (const q of queries) before.push(await s.searchVectors(key, "episode", q, 10));
      await s.close();
      const raw = new Database(path, { readonly: true });
      expect((raw.prepare(`SELECT COUNT(*) AS n FROM vector_snapshots WHERE target_type = 'episode'`).get() as { n: number }).n).toBeGreaterThan(0);
      raw.close();
      const again = await SqliteStore.open(path, { snapshotMinVectors: 1000 });
      for (const [i, q] of queries.entries()) expect(await again.searchVectors(key, "episode", q, 10)).toEqual(before[i]);
      expect(again.vectorCache.loads).toBe(1);
      // a write after the restore: the table keeps working (id map built, row appended)
      await again.commit({ scope: key, vectors: [{ targetType: "episode", targetId: "new", vector: queries[0]! }] });
      expect((await again.searchVectors(key, "episode", queries[0]!, 1))[0]?.id).toBe("new");
      await again.close();
    } finally {
      cleanup();
    }
  });

  it("the row cache never serves a row another process changed, and keeps up with this one's writes (issue 9)", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "two.db");
      const a = await SqliteStore.open(path);
      const b = await SqliteStore.open(path);
      const key = { tenant: "default", userId: "u" };
      const ep = makeEpisode(key);
      const m1 = makeMemory(key, [ep.id], { text: "first text" });
      const m2 = makeMemory(key, [ep.id], { text: "other text" });
      await a.commit({ scope: key, episodes: [ep], memories: [m1, m2] });
      expect((await a.getMemories(key, [m1.id, m2.id])).map((m) => m.text)).toEqual(["first text", "other text"]);
      // Another process rewrites m1: a reads the new row.
      await b.commit({ scope: key, memories: [{ ...m1, text: "changed by b", version: 2 }] });
      expect((await a.getMemories(key, [m1.id]))[0]!.text).toBe("changed by b");
      // This process writes m2: the new row, and m1 still right.
      await a.commit({ scope: key, memories: [{ ...m2, text: "changed by a", version: 2 }] });
      expect((await a.getMemories(key, [m1.id, m2.id])).map((m) => m.text)).toEqual(["changed by b", "changed by a"]);
      // touchMemories shows in cached rows; callers get the cached rows frozen (no copy per
      // read), so a caller cannot change what the next reader gets.
      await a.touchMemories(key, [m1.id], at(50), 0.5);
      const got = (await a.getMemories(key, [m1.id]))[0]!;
      expect(got).toMatchObject({ accessCount: 1, lastAccessedAt: at(50), strength: 1.5 });
      expect(Object.isFrozen(got)).toBe(true);
      expect(() => {
        got.text = "mutated by a caller";
      }).toThrow(TypeError);
      expect((await a.getMemories(key, [m1.id]))[0]!.text).toBe("changed by b");
      await a.erase(key);
      expect(await a.getMemories(key, [m1.id])).toEqual([]);
      await a.close();
      await b.close();
    } finally {
      cleanup();
    }
  });

  it("runs in WAL mode with secure_delete", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "wal.db");
      const s = await SqliteStore.open(path);
      const scope = { tenant: "t", userId: "u" };
      await s.commit({ scope, episodes: [makeEpisode(scope)] });
      const raw = new Database(path, { readonly: true });
      expect(String(raw.pragma("journal_mode", { simple: true })).toLowerCase()).toBe("wal");
      raw.close();
      expect(existsSync(path + "-wal")).toBe(true);
      await s.close();
    } finally {
      cleanup();
    }
  });

  it("persists data across close and reopen", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "persist.db");
      const scope = { tenant: "t", userId: "u" };
      const ep = makeEpisode(scope, { text: "persistent heron" });
      const mem = makeMemory(scope, [ep.id], { text: "a persistent heron" });
      let s = await SqliteStore.open(path);
      await s.commit({ scope, episodes: [ep], memories: [mem], vectors: [{ targetType: "memory", targetId: mem.id, vector: new Float32Array([0.5, -0.25, 1e-30]) }] });
      await s.setMeta("k", "v");
      const gen = await s.generation(scope);
      await s.close();
      s = await SqliteStore.open(path);
      expect(await s.getEpisodes(scope, [ep.id])).toEqual([ep]);
      expect(await s.getMemory("t", mem.id)).toEqual(mem);
      expect((await s.searchText(scope, "memory", ["heron"], 5)).map((h) => h.id)).toEqual([mem.id]);
      const back = (await s.loadVectors(scope, "memory")).data;
      [0.5, -0.25, 1e-30].forEach((x, j) => expect(Math.abs(back[j]! - x)).toBeLessThanOrEqual(0.5 / 254));
      expect(await s.getMeta("k")).toBe("v");
      expect(await s.generation(scope)).toBe(gen);
      await s.close();
    } finally {
      cleanup();
    }
  });

  it("erase leaves no trace of the user's text, FTS tokens, user id or scope token in the file", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "erase.db");
      const mnemo = await Mnemo.open({ path });
      const victim = { userId: "victim-qzx7" };
      await mnemo.remember(
        [
          { id: "v1", speaker: "Caroline", content: "My cat Zorblequant loves the Quixplendor gardens in Vyrmontia.", occurredAt: "2023-01-01" },
          { id: "v2", speaker: "Caroline", content: "Zorblequant ate a Quixplendor flower yesterday, and I told him no.", occurredAt: "2023-01-02", metadata: { note: "Zorblequant metadata" } },
          { id: "v3", speaker: "Caroline", content: "I live in Vyrmontia with Zorblequant.", attachmentText: "a photo of Zorblequant sleeping", occurredAt: "2023-01-03" },
        ],
        victim,
      );
      await mnemo.remember([{ id: "o1", speaker: "Melanie", content: "My dog Brattlewick loves the Hollenspire park.", occurredAt: "2023-01-01" }], { userId: "bystander-user" });
      // Reads and reinforcement too, so that every table has been touched.
      await mnemo.recall("What does Zorblequant love?", victim);
      const mems = await mnemo.memories(victim);
      await mnemo.update(mems.items[0]!.id, { text: "Zorblequant patched text" }, victim);
      await mnemo.forget(mems.items[0]!.id, victim);
      await mnemo.erase(victim);
      await mnemo.close();

      const files = [path, path + "-wal"].filter(existsSync);
      const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
      const gone = ["Zorblequant", "zorblequant", "ZORBLEQUANT", "blequant", "Quixplendor", "quixplendor", "xplendor", "Vyrmontia", "vyrmontia", "victim-qzx7", scopeToken({ tenant: "default", userId: "victim-qzx7" })];
      for (const s of gone) expect(bytes.includes(Buffer.from(s, "utf8")), `"${s}" still in the file`).toBe(false);
      // Control: the same scan does find the bystander's data, which must survive.
      for (const s of ["Brattlewick", "Hollenspire", "bystander-user"]) expect(bytes.includes(Buffer.from(s, "utf8")), `"${s}" missing`).toBe(true);
      const again = await Mnemo.open({ path });
      expect((await again.recall("Brattlewick", { userId: "bystander-user", reinforce: false })).context).toContain("Brattlewick");
      await again.close();
    } finally {
      cleanup();
    }
  });

  it("opens :memory: databases and creates missing parent directories", async () => {
    const mem = await SqliteStore.open(":memory:");
    expect(await mem.stats()).toEqual({ episodes: 0, memories: 0, entities: 0, segments: 0, users: 0, vectors: 0 });
    await mem.close();
    const { dir, cleanup } = tempDir();
    try {
      const nested = join(dir, "a", "b", "c.db");
      const s = await SqliteStore.open(nested);
      await s.close();
      expect(existsSync(nested)).toBe(true);
    } finally {
      cleanup();
    }
  });
});
