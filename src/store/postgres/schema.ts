import { MnemoError } from "../../core/errors.js";
import type { Queryable } from "./driver.js";

/**
 * The schema version this build writes into a PostgreSQL database (table `mnemo_schema`).
 *
 * @example
 * ```ts
 * (await pool.query("SELECT version FROM mnemo_schema")).rows[0].version === PG_SCHEMA_VERSION; // true once migrated
 * ```
 */
export const PG_SCHEMA_VERSION = 4;

/**
 * Advisory lock key held while migrating, so that several servers starting at once on one
 * database migrate it exactly once.
 *
 * @example
 * ```ts
 * await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
 * ```
 */
export const MIGRATION_LOCK = 0x6d6e656d6f; // "mnemo"

/**
 * The text search configuration of every tsvector: the default parser, an English
 * Snowball stemmer without a stop-word list (FTS5's `porter unicode61` drops no words
 * either), numbers kept as they are. Text reaches it already split into lower-case
 * letter/digit words (see `ftsWords` in search.ts), as FTS5's unicode61 splits it.
 */
const TEXT_CONFIG = `
  DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace WHERE d.dictname = 'mnemo_stem' AND n.nspname = current_schema()) THEN
      CREATE TEXT SEARCH DICTIONARY mnemo_stem (TEMPLATE = snowball, Language = english);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace WHERE c.cfgname = 'mnemo_text' AND n.nspname = current_schema()) THEN
      CREATE TEXT SEARCH CONFIGURATION mnemo_text (PARSER = pg_catalog.default);
      ALTER TEXT SEARCH CONFIGURATION mnemo_text ADD MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart WITH mnemo_stem;
      ALTER TEXT SEARCH CONFIGURATION mnemo_text ADD MAPPING FOR int, uint, float, sfloat, version, file, email, url, host, url_path WITH simple;
    END IF;
  END $$;`;

/** Migrations: index i brings a database from version i to i + 1. Text columns use the "C" collation: they sort and compare bytewise, as in SQLite. */
const MIGRATIONS: string[] = [
  `
  CREATE EXTENSION IF NOT EXISTS vector;
  ${TEXT_CONFIG}
  CREATE TABLE IF NOT EXISTS meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT COLLATE "C" NOT NULL);
  CREATE TABLE IF NOT EXISTS generations (tenant TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL, gen BIGINT NOT NULL, PRIMARY KEY (tenant, user_id));

  CREATE TABLE IF NOT EXISTS episodes (
    rid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE,
    external_id TEXT COLLATE "C",
    tenant TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL, agent_id TEXT COLLATE "C", session_id TEXT COLLATE "C",
    speaker TEXT COLLATE "C" NOT NULL, role TEXT COLLATE "C", text TEXT COLLATE "C" NOT NULL, attachment_text TEXT COLLATE "C",
    occurred_at TEXT COLLATE "C" NOT NULL, recorded_at TEXT COLLATE "C" NOT NULL,
    content_hash TEXT COLLATE "C" NOT NULL, segment_id TEXT COLLATE "C", seq BIGINT NOT NULL, metadata TEXT COLLATE "C" NOT NULL,
    tsv TSVECTOR NOT NULL, tlen INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS episodes_ext ON episodes (tenant, user_id, external_id) WHERE external_id IS NOT NULL;
  CREATE INDEX IF NOT EXISTS episodes_hash ON episodes (tenant, user_id, content_hash);
  CREATE INDEX IF NOT EXISTS episodes_time ON episodes (tenant, user_id, occurred_at, seq);
  CREATE INDEX IF NOT EXISTS episodes_tsv ON episodes USING GIN (tsv);

  CREATE TABLE IF NOT EXISTS segments (
    rid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE,
    tenant TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL, session_id TEXT COLLATE "C",
    episode_ids TEXT COLLATE "C" NOT NULL, started_at TEXT COLLATE "C" NOT NULL, ended_at TEXT COLLATE "C" NOT NULL, summary TEXT COLLATE "C" NOT NULL,
    tsv TSVECTOR NOT NULL, tlen INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS segments_scope ON segments (tenant, user_id, session_id, ended_at);
  CREATE INDEX IF NOT EXISTS segments_tsv ON segments USING GIN (tsv);

  CREATE TABLE IF NOT EXISTS memories (
    rid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT COLLATE "C" NOT NULL UNIQUE,
    tenant TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL, agent_id TEXT COLLATE "C",
    kind TEXT COLLATE "C" NOT NULL, text TEXT COLLATE "C" NOT NULL, subject TEXT COLLATE "C", slot TEXT COLLATE "C",
    valid_from TEXT COLLATE "C", valid_to TEXT COLLATE "C", observed_at TEXT COLLATE "C" NOT NULL, recorded_at TEXT COLLATE "C" NOT NULL, invalidated_at TEXT COLLATE "C",
    confidence DOUBLE PRECISION NOT NULL, importance DOUBLE PRECISION NOT NULL, strength DOUBLE PRECISION NOT NULL,
    last_accessed_at TEXT COLLATE "C" NOT NULL, access_count INTEGER NOT NULL,
    sources TEXT[] NOT NULL, entity_ids TEXT[] NOT NULL, segment_ids TEXT[] NOT NULL,
    version INTEGER NOT NULL, forgotten_at TEXT COLLATE "C", expires_at TEXT COLLATE "C", metadata TEXT COLLATE "C" NOT NULL,
    tsv TSVECTOR NOT NULL, tlen INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS memories_scope ON memories (tenant, user_id, rid);
  CREATE INDEX IF NOT EXISTS memories_slot ON memories (tenant, user_id, slot) WHERE slot IS NOT NULL;
  CREATE INDEX IF NOT EXISTS memories_tsv ON memories USING GIN (tsv);
  CREATE INDEX IF NOT EXISTS memories_entities ON memories USING GIN (entity_ids);
  CREATE INDEX IF NOT EXISTS memories_sources ON memories USING GIN (sources);

  CREATE TABLE IF NOT EXISTS memory_history (
    rid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    memory_id TEXT COLLATE "C" NOT NULL, tenant TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL, version INTEGER NOT NULL, op TEXT COLLATE "C" NOT NULL,
    text TEXT COLLATE "C" NOT NULL, valid_from TEXT COLLATE "C", valid_to TEXT COLLATE "C", sources TEXT COLLATE "C" NOT NULL, at TEXT COLLATE "C" NOT NULL, reason TEXT COLLATE "C"
  );
  CREATE INDEX IF NOT EXISTS memory_history_id ON memory_history (memory_id, version);
  CREATE INDEX IF NOT EXISTS memory_history_scope ON memory_history (tenant, user_id);

  CREATE TABLE IF NOT EXISTS entities (
    id TEXT COLLATE "C" PRIMARY KEY, tenant TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL, type TEXT COLLATE "C" NOT NULL, aliases TEXT COLLATE "C" NOT NULL, mention_count INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS entities_scope ON entities (tenant, user_id);

  -- data: the exact Float32 bytes (what loadVectors returns); embedding: the same vector for
  -- pgvector's cosine HNSW index. The column becomes vector(n) with the first vector written
  -- (n checked on every later write) and goes back to plain vector on clearVectors.
  CREATE TABLE IF NOT EXISTS vectors (
    target_type TEXT COLLATE "C" NOT NULL, target_id TEXT COLLATE "C" NOT NULL, tenant TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL,
    dim INTEGER NOT NULL, data BYTEA NOT NULL, embedding vector, rid BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (target_type, target_id)
  );
  CREATE INDEX IF NOT EXISTS vectors_scope ON vectors (tenant, user_id, target_type);
  `,
  // 1 → 2: provenance, quarantine and sensitivity (docs/SECURITY.md), as SQLite's schema 3;
  // NULL on older rows = user, trusted, none. Lists and the quarantine record are JSON text.
  `
  ALTER TABLE episodes ADD COLUMN IF NOT EXISTS source TEXT, ADD COLUMN IF NOT EXISTS trust TEXT,
    ADD COLUMN IF NOT EXISTS quarantine TEXT, ADD COLUMN IF NOT EXISTS sensitivity TEXT;
  ALTER TABLE memories ADD COLUMN IF NOT EXISTS source TEXT, ADD COLUMN IF NOT EXISTS trust TEXT,
    ADD COLUMN IF NOT EXISTS sensitivity TEXT;
  `,
  // 2 → 3: per-scope BM25 statistics kept by every write (row count and summed token
  // length per table), so a text search reads one row instead of scanning the scope;
  // API keys and Idempotency-Key replies in the shared database (several servers).
  `
  CREATE TABLE IF NOT EXISTS text_stats (
    tenant TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C" NOT NULL, target TEXT COLLATE "C" NOT NULL,
    n BIGINT NOT NULL, total BIGINT NOT NULL, PRIMARY KEY (tenant, user_id, target)
  );
  INSERT INTO text_stats SELECT tenant, user_id, 'episode', count(*), sum(tlen) FROM episodes GROUP BY tenant, user_id ON CONFLICT DO NOTHING;
  INSERT INTO text_stats SELECT tenant, user_id, 'segment', count(*), sum(tlen) FROM segments GROUP BY tenant, user_id ON CONFLICT DO NOTHING;
  INSERT INTO text_stats SELECT tenant, user_id, 'memory', count(*), sum(tlen) FROM memories GROUP BY tenant, user_id ON CONFLICT DO NOTHING;
  CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT COLLATE "C" PRIMARY KEY, tenant TEXT COLLATE "C" NOT NULL, scopes TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C", hash TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL, revoked_at TEXT COLLATE "C", last_used_at TEXT COLLATE "C"
  );
  CREATE TABLE IF NOT EXISTS idempotency (
    tenant TEXT COLLATE "C" NOT NULL, key TEXT COLLATE "C" NOT NULL, user_id TEXT COLLATE "C", fingerprint TEXT COLLATE "C" NOT NULL, status INTEGER NOT NULL,
    content_type TEXT COLLATE "C" NOT NULL, body TEXT COLLATE "C" NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (tenant, key)
  );
  CREATE INDEX IF NOT EXISTS idempotency_user ON idempotency (tenant, user_id);
  CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency (created_at);
  -- Recall's access bookkeeping in one round trip: the scope's lock, then the update.
  CREATE OR REPLACE FUNCTION mnemo_touch(p_lock TEXT, p_tenant TEXT, p_user TEXT, p_ids TEXT[], p_at TEXT, p_gain DOUBLE PRECISION) RETURNS void
  LANGUAGE plpgsql AS $f$
  BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_lock, 0));
    UPDATE memories m SET access_count = m.access_count + u.n, last_accessed_at = p_at, strength = m.strength + p_gain * u.n
    FROM (SELECT id, count(*)::int AS n FROM unnest(p_ids) AS id GROUP BY id) u WHERE m.tenant = p_tenant AND m.user_id = p_user AND m.id = u.id;
  END $f$;
  `,
  // 3 → 4: recall's segment channel asks for the memories of a few segments
  // (linkedMemories "segment"): without an index on segment_ids that read every memory of
  // the user (168 ms at 100K turns); entity_ids and sources have had theirs since 1.
  `
  CREATE INDEX IF NOT EXISTS memories_segments ON memories USING GIN (segment_ids);
  `,
];

/**
 * Brings the database (the connection's current schema) to {@link PG_SCHEMA_VERSION} in one
 * transaction under an advisory lock. A database written by a newer Mnemo is refused with
 * SCHEMA_MISMATCH, and nothing is changed.
 *
 * @example
 * ```ts
 * const client = await pool.connect();
 * try { await migratePostgres(client); } finally { client.release(); }
 * ```
 */
export async function migratePostgres(client: Queryable): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query("CREATE TABLE IF NOT EXISTS mnemo_schema (version INTEGER NOT NULL)");
    const r = await client.query("SELECT version FROM mnemo_schema");
    const current = r.rows.length ? Number(r.rows[0]!.version) : 0;
    if (current > PG_SCHEMA_VERSION) {
      throw new MnemoError("SCHEMA_MISMATCH", `The database has schema version ${current}; this Mnemo supports up to ${PG_SCHEMA_VERSION}.`);
    }
    for (let v = current; v < PG_SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v]!);
    if (current === 0) await client.query("INSERT INTO mnemo_schema (version) VALUES ($1)", [PG_SCHEMA_VERSION]);
    else if (current < PG_SCHEMA_VERSION) await client.query("UPDATE mnemo_schema SET version = $1", [PG_SCHEMA_VERSION]);
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}
