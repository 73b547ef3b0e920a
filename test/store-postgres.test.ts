import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { Mnemo } from "../src/mnemo.js";
import { PostgresStore } from "../src/store/postgres/index.js";
import { parsePostgresUrl, redactUrl } from "../src/store/postgres/driver.js";
import { PG_SCHEMA_VERSION } from "../src/store/postgres/schema.js";
import { expectCode, makeEpisode, makeMemory } from "./support/fixtures.js";
import { freshPgUrl, PG_OFF, stopTestPostgres } from "./support/postgres.js";
import { runStoreContract } from "./store-contract.js";

afterAll(stopTestPostgres);

/** A raw client on the schema of `url`. */
async function raw(url: string): Promise<pg.Client> {
  const { connectionString, schema } = parsePostgresUrl(url);
  const c = new pg.Client({ connectionString, options: `-c search_path=${schema},public` });
  await c.connect();
  return c;
}

describe.skipIf(PG_OFF)("PostgreSQL", () => {
  runStoreContract("postgres", async () => {
    const { url, drop } = await freshPgUrl("contract");
    const store = await PostgresStore.open(url);
    return {
      store,
      cleanup: async () => {
        await store.close();
        await drop();
      },
    };
  });

  describe("PostgresStore specifics", () => {
    it("refuses a database with a newer schema version (SCHEMA_MISMATCH), also through Mnemo.open", async () => {
      const { url, drop } = await freshPgUrl();
      try {
        await (await PostgresStore.open(url)).close();
        const c = await raw(url);
        await c.query("UPDATE mnemo_schema SET version = 99");
        await c.end();
        const err = await expectCode(PostgresStore.open(url), "SCHEMA_MISMATCH");
        expect(err.message).toContain("99");
        await expectCode(Mnemo.open({ path: url }), "SCHEMA_MISMATCH");
        const fix = await raw(url);
        await fix.query("UPDATE mnemo_schema SET version = $1", [PG_SCHEMA_VERSION]);
        await fix.end();
        const again = await PostgresStore.open(url);
        expect(await again.stats()).toMatchObject({ episodes: 0 });
        await again.close();
      } finally {
        await drop();
      }
    });

    it("several processes' stores opening one new database at once migrate it exactly once", async () => {
      const { url, drop } = await freshPgUrl();
      try {
        const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open(url)));
        const c = await raw(url);
        expect((await c.query("SELECT count(*)::int AS n FROM mnemo_schema")).rows[0].n).toBe(1);
        await c.end();
        await Promise.all(stores.map((s) => s.close()));
      } finally {
        await drop();
      }
    });

    it("keeps vectors in a vector(n) column with a cosine HNSW index; another dimension is EMBEDDER_MISMATCH", async () => {
      const { url, drop } = await freshPgUrl();
      try {
        const s = await PostgresStore.open(url);
        const scope = { tenant: "t", userId: "u" };
        await s.commit({ scope, vectors: [{ targetType: "memory", targetId: "m1", vector: new Float32Array([0.6, 0.8, 0]) }] });
        const c = await raw(url);
        const col = await c.query(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'vectors'::regclass AND attname = 'embedding'`);
        expect(col.rows[0].t).toBe("vector(3)");
        const idx = await c.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'vectors_hnsw' AND schemaname = current_schema()`);
        expect(idx.rows[0].indexdef).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
        await expectCode(s.commit({ scope, vectors: [{ targetType: "memory", targetId: "m2", vector: new Float32Array([1, 0]) }] }), "EMBEDDER_MISMATCH");
        await s.clearVectors();
        await s.commit({ scope, vectors: [{ targetType: "memory", targetId: "m2", vector: new Float32Array([1, 0]) }] });
        const col2 = await c.query(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'vectors'::regclass AND attname = 'embedding'`);
        expect(col2.rows[0].t).toBe("vector(2)");
        await c.end();
        await s.close();
      } finally {
        await drop();
      }
    });

    it("indexes text as a weighted tsvector with a GIN index, keyed by (tenant, user)", async () => {
      const { url, drop } = await freshPgUrl();
      try {
        const s = await PostgresStore.open(url);
        const scope = { tenant: "t", userId: "u" };
        const ep = makeEpisode(scope, { speaker: "Caroline", text: "We went hiking near Boston" });
        await s.commit({ scope, episodes: [ep], memories: [makeMemory(scope, [ep.id], { text: "Caroline hikes", subject: "Caroline" })] });
        const c = await raw(url);
        const tsv = await c.query(`SELECT tsv::text AS t FROM episodes WHERE id = $1`, [ep.id]);
        expect(tsv.rows[0].t).toContain("'hike'");
        expect(tsv.rows[0].t).toMatch(/'carolin':1A/);
        const idx = await c.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()`);
        const defs = idx.rows.map((r) => String(r.indexdef));
        for (const t of ["episodes", "memories", "segments"]) expect(defs.some((d) => d.includes(`${t}_tsv ON`) && /USING gin \(tsv\)/.test(d))).toBe(true);
        expect(defs.some((d) => /episodes_time ON .*episodes USING btree \(tenant, user_id, occurred_at, seq\)/.test(d))).toBe(true);
        await c.end();
        // The speaker (head) ranks below the same word in the text.
        const a = makeEpisode(scope, { speaker: "Melanie", text: "I painted a lake", seq: 2 });
        const b = makeEpisode(scope, { speaker: "Lake", text: "hello there", seq: 3 });
        await s.commit({ scope, episodes: [a, b] });
        expect((await s.searchText(scope, "episode", ["lake"], 5)).map((h) => h.id)).toEqual([a.id, b.id]);
        await s.close();
      } finally {
        await drop();
      }
    });

    it("deleteEpisodes removes the episodes and the given memories with history and vectors, only in the scope", async () => {
      const { url, drop } = await freshPgUrl();
      try {
        const s = await PostgresStore.open(url);
        const A = { tenant: "t", userId: "a" };
        const B = { tenant: "t", userId: "b" };
        const e1 = makeEpisode(A, { text: "delete me" });
        const e2 = makeEpisode(A, { text: "keep me", seq: 2 });
        const m = makeMemory(A, [e1.id], { text: "from the deleted one" });
        const other = makeEpisode(B, { text: "delete me" });
        await s.commit({ scope: A, episodes: [e1, e2], memories: [m], history: [{ memoryId: m.id, version: 1, op: "add", text: m.text, validFrom: null, validTo: null, sources: m.sources, at: m.recordedAt, reason: null }], vectors: [{ targetType: "episode", targetId: e1.id, vector: new Float32Array([1, 0]) }, { targetType: "memory", targetId: m.id, vector: new Float32Array([0, 1]) }] });
        await s.commit({ scope: B, episodes: [other] });
        const gen = await s.generation(A);
        expect(await s.deleteEpisodes(A, [e1.id, other.id], [m.id])).toBe(1);
        expect((await s.getEpisodes(A, [e1.id, e2.id])).map((e) => e.id)).toEqual([e2.id]);
        expect(await s.getMemory("t", m.id)).toBeNull();
        expect(await s.memoryHistory("t", m.id)).toEqual([]);
        expect((await s.stats({ tenant: "t", userId: "a" })).vectors).toBe(0);
        expect(await s.getEpisodes(B, [other.id])).toHaveLength(1);
        expect(await s.generation(A)).toBeGreaterThan(gen);
        await s.close();
      } finally {
        await drop();
      }
    });

    it("keeps text_stats (BM25 row count and summed length per scope and table) equal to the rows, through upserts, deletes and erase; a v2 database is backfilled", async () => {
      const { url, drop } = await freshPgUrl();
      try {
        const s = await PostgresStore.open(url);
        const c = await raw(url);
        const A = { tenant: "t", userId: "a" };
        const B = { tenant: "t", userId: "b" };
        const check = async () => {
          const want = await c.query(
            `SELECT x.tenant, x.user_id, x.target, count(*)::int AS n, sum(x.tlen)::int AS total FROM (
               SELECT tenant, user_id, 'episode' AS target, tlen FROM episodes UNION ALL SELECT tenant, user_id, 'memory', tlen FROM memories
               UNION ALL SELECT tenant, user_id, 'segment', tlen FROM segments) x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
          );
          const have = await c.query(`SELECT tenant, user_id, target, n::int AS n, total::int AS total FROM text_stats WHERE n > 0 ORDER BY 1, 2, 3`);
          expect(have.rows).toEqual(want.rows);
        };
        const e1 = makeEpisode(A, { text: "one two three" });
        const e2 = makeEpisode(A, { text: "four", seq: 2 });
        const m = makeMemory(A, [e1.id], { text: "a memory of one" });
        await s.commit({ scope: A, episodes: [e1, e2], memories: [m] });
        await s.commit({ scope: B, episodes: [makeEpisode(B, { text: "other user words here" })] });
        await check();
        // Upserting the same ids with other text moves the lengths, not the counts.
        await s.commit({ scope: A, episodes: [{ ...e1, text: "one two three four five six" }], memories: [{ ...m, text: "short" }] });
        await check();
        // A foreign id is refused and changes nothing.
        await expectCode(s.commit({ scope: B, episodes: [{ ...e2, tenant: "t", userId: "b" }] }), "CONFLICT");
        await check();
        await s.deleteEpisodes(A, [e2.id], [m.id]);
        await check();
        await s.erase({ tenant: "t", userId: "a" });
        await check();
        // A database at schema 2 (no text_stats) is backfilled by the migration.
        await s.commit({ scope: A, episodes: [e1, e2] });
        await c.query("DROP TABLE text_stats; UPDATE mnemo_schema SET version = 2");
        await s.close();
        const again = await PostgresStore.open(url);
        await check();
        expect((await again.searchText(A, "episode", ["one", "four"], 5)).map((h) => h.id).sort()).toEqual([e1.id, e2.id].sort());
        await again.close();
        await c.end();
      } finally {
        await drop();
      }
    });

    it("schema 4 indexes every memory link array (GIN); a database at schema 3 gets the segment index on open", async () => {
      const { url, drop } = await freshPgUrl();
      try {
        await (await PostgresStore.open(url)).close();
        const c = await raw(url);
        const defs = async () => (await c.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'memories'`)).rows.map((r) => String(r.indexdef));
        for (const col of ["entity_ids", "sources", "segment_ids"]) expect((await defs()).some((d) => d.includes(`USING gin (${col})`))).toBe(true);
        await c.query("DROP INDEX memories_segments; UPDATE mnemo_schema SET version = 3");
        const s = await PostgresStore.open(url);
        expect((await c.query("SELECT version FROM mnemo_schema")).rows[0].version).toBe(PG_SCHEMA_VERSION);
        expect((await defs()).some((d) => d.includes("USING gin (segment_ids)"))).toBe(true);
        // The segment link reads through it: the memories of a segment, newest first.
        const scope = { tenant: "t", userId: "u" };
        const ep = makeEpisode(scope, { text: "we met at the lake" });
        const m1 = { ...makeMemory(scope, [ep.id], { text: "met at the lake" }), segmentIds: ["seg_1"] };
        const m2 = { ...makeMemory(scope, [ep.id], { text: "likes the lake" }), segmentIds: ["seg_1", "seg_2"] };
        await s.commit({ scope, episodes: [ep], memories: [m1, m2] });
        expect(await s.linkedMemories(scope, "segment", ["seg_2", "seg_1", "seg_3"], 10)).toEqual([
          { key: "seg_2", count: 1, memoryIds: [m2.id] },
          { key: "seg_1", count: 2, memoryIds: [m2.id, m1.id] },
          { key: "seg_3", count: 0, memoryIds: [] },
        ]);
        await s.close();
        await c.end();
      } finally {
        await drop();
      }
    });

    it("never prints the password of a URL", () => {
      expect(redactUrl("postgres://mnemo:s3cret@db:5432/mnemo")).toBe("postgres://mnemo:***@db:5432/mnemo");
      expect(parsePostgresUrl("postgres://u@h/db?schema=acme&pool=20&sslmode=require")).toEqual({ connectionString: "postgres://u@h/db?sslmode=require", schema: "acme", poolSize: 20 });
    });

    it("an unreachable server is STORE_ERROR without the password in the message", async () => {
      const err = await expectCode(PostgresStore.open("postgres://mnemo:s3cret@127.0.0.1:1/nothing"), "STORE_ERROR");
      expect(err.message).not.toContain("s3cret");
    });
  });
});
