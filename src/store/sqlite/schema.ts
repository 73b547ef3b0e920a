import type Database from "better-sqlite3";
import { MnemoError } from "../../core/errors.js";
import { rebuildFts } from "./fts.js";
import { linkKey } from "./search.js";
import { encodeVector, floats } from "./vectors.js";

/**
 * The on-disk schema version this build writes.
 *
 * @example
 * ```ts
 * db.pragma("user_version", { simple: true }) === SCHEMA_VERSION; // true once migrated
 * ```
 */
export const SCHEMA_VERSION = 7;

/** Adds a column unless the table has it (migrations stay safe to re-run on a file whose version was rewound). */
function addColumns(db: Database.Database, table: string, columns: string[]): void {
  const have = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name));
  for (const c of columns) if (!have.has(c.split(" ")[0]!)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${c}`);
}

/** Migrations: index i brings a database from version i to i + 1 (SQL, or a function for conditional steps). */
const MIGRATIONS: Array<string | ((db: Database.Database) => void)> = [
  `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS generations (tenant TEXT NOT NULL, user_id TEXT NOT NULL, gen INTEGER NOT NULL, PRIMARY KEY (tenant, user_id));

  CREATE TABLE IF NOT EXISTS episodes (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    external_id TEXT,
    tenant TEXT NOT NULL, user_id TEXT NOT NULL, agent_id TEXT, session_id TEXT,
    speaker TEXT NOT NULL, role TEXT, text TEXT NOT NULL, attachment_text TEXT,
    occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
    content_hash TEXT NOT NULL, segment_id TEXT, seq INTEGER NOT NULL, metadata TEXT NOT NULL
  );
  CREATE UNIQUE INDEX IF NOT EXISTS episodes_ext ON episodes (tenant, user_id, external_id) WHERE external_id IS NOT NULL;
  CREATE INDEX IF NOT EXISTS episodes_hash ON episodes (tenant, user_id, content_hash);
  CREATE INDEX IF NOT EXISTS episodes_time ON episodes (tenant, user_id, occurred_at, seq);

  CREATE TABLE IF NOT EXISTS segments (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    tenant TEXT NOT NULL, user_id TEXT NOT NULL, session_id TEXT,
    episode_ids TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT NOT NULL, summary TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS segments_scope ON segments (tenant, user_id, session_id, ended_at);

  CREATE TABLE IF NOT EXISTS memories (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    tenant TEXT NOT NULL, user_id TEXT NOT NULL, agent_id TEXT,
    kind TEXT NOT NULL, text TEXT NOT NULL, subject TEXT, slot TEXT,
    valid_from TEXT, valid_to TEXT, observed_at TEXT NOT NULL, recorded_at TEXT NOT NULL, invalidated_at TEXT,
    confidence REAL NOT NULL, importance REAL NOT NULL, strength REAL NOT NULL,
    last_accessed_at TEXT NOT NULL, access_count INTEGER NOT NULL,
    sources TEXT NOT NULL, entity_ids TEXT NOT NULL, segment_ids TEXT NOT NULL,
    version INTEGER NOT NULL, forgotten_at TEXT, expires_at TEXT, metadata TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS memories_scope ON memories (tenant, user_id, rid);
  CREATE INDEX IF NOT EXISTS memories_slot ON memories (tenant, user_id, slot) WHERE slot IS NOT NULL;

  CREATE TABLE IF NOT EXISTS memory_history (
    memory_id TEXT NOT NULL, tenant TEXT NOT NULL, user_id TEXT NOT NULL, version INTEGER NOT NULL, op TEXT NOT NULL,
    text TEXT NOT NULL, valid_from TEXT, valid_to TEXT, sources TEXT NOT NULL, at TEXT NOT NULL, reason TEXT
  );
  CREATE INDEX IF NOT EXISTS memory_history_id ON memory_history (memory_id, version);
  CREATE INDEX IF NOT EXISTS memory_history_scope ON memory_history (tenant, user_id);

  CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, user_id TEXT NOT NULL,
    name TEXT NOT NULL, type TEXT NOT NULL, aliases TEXT NOT NULL, mention_count INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS entities_scope ON entities (tenant, user_id);


  CREATE TABLE IF NOT EXISTS vectors (
    target_type TEXT NOT NULL, target_id TEXT NOT NULL, tenant TEXT NOT NULL, user_id TEXT NOT NULL,
    dim INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (target_type, target_id)
  );
  CREATE INDEX IF NOT EXISTS vectors_scope ON vectors (tenant, user_id, target_type);

  CREATE VIRTUAL TABLE IF NOT EXISTS fts_episodes USING fts5(text, sk, head, tokenize = 'porter unicode61', detail = column);
  CREATE VIRTUAL TABLE IF NOT EXISTS fts_memories USING fts5(text, sk, head, tokenize = 'porter unicode61', detail = column);
  CREATE VIRTUAL TABLE IF NOT EXISTS fts_segments USING fts5(text, sk, head, tokenize = 'porter unicode61', detail = column);
  `,
  // 1 → 2: graph neighbours without loading a scope. memory_links holds one row per id a
  // memory points at: link 0 = an entity, 1 = a source episode, 2 = a segment.
  `
  CREATE TABLE IF NOT EXISTS memory_links (link INTEGER NOT NULL, key TEXT NOT NULL, memory_rid INTEGER NOT NULL, PRIMARY KEY (link, key, memory_rid)) WITHOUT ROWID;
  INSERT OR IGNORE INTO memory_links (link, key, memory_rid) SELECT 0, j.value, m.rid FROM memories m, json_each(m.entity_ids) j WHERE m.forgotten_at IS NULL;
  INSERT OR IGNORE INTO memory_links (link, key, memory_rid) SELECT 1, j.value, m.rid FROM memories m, json_each(m.sources) j WHERE m.forgotten_at IS NULL;
  INSERT OR IGNORE INTO memory_links (link, key, memory_rid) SELECT 2, j.value, m.rid FROM memories m, json_each(m.segment_ids) j WHERE m.forgotten_at IS NULL;
  `,
  // 2 → 3: provenance, quarantine and sensitivity (docs/SECURITY.md); NULL on older rows = user, trusted, none.
  (db) => {
    addColumns(db, "episodes", ["source TEXT", "trust TEXT", "quarantine TEXT", "sensitivity TEXT"]);
    addColumns(db, "memories", ["source TEXT", "trust TEXT", "sensitivity TEXT"]);
  },
  // 3 → 4 (issue 9): full-text tables without a copy of the text, with positions: the same
  // BM25, about 5× faster to rank and 60% smaller (src/store/sqlite/fts.ts), rebuilt from the rows.
  (db) => rebuildFts(db),
  // 4 → 5 (issue 9): vectors clustered by scope (WITHOUT ROWID, primary key tenant, user,
  // table, id): a user's vectors are one contiguous range to load, with no rowid index and
  // no scope index; persisted snapshots of the vector cache.
  (db) => {
    if (!/WITHOUT ROWID/i.test((db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'vectors'`).get() as { sql: string } | undefined)?.sql ?? "")) {
      db.exec(`
      CREATE TABLE vectors_v5 (
        tenant TEXT NOT NULL, user_id TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL,
        dim INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (tenant, user_id, target_type, target_id)
      ) WITHOUT ROWID;
      INSERT OR IGNORE INTO vectors_v5 (tenant, user_id, target_type, target_id, dim, data) SELECT tenant, user_id, target_type, target_id, dim, data FROM vectors ORDER BY tenant, user_id, target_type, target_id;
      DROP TABLE vectors;
      ALTER TABLE vectors_v5 RENAME TO vectors;
      `);
    }
    db.exec(`DROP INDEX IF EXISTS vectors_scope`);
    // The vector cache's 8-bit codes of a large table, persisted at close for one generation
    // (src/store/sqlite/index.ts, VECTOR_SNAPSHOT_MIN): the first search after opening reads
    // one row instead of every vector.
    db.exec(`CREATE TABLE IF NOT EXISTS vector_snapshots (
      tenant TEXT NOT NULL, user_id TEXT NOT NULL, target_type TEXT NOT NULL, gen INTEGER NOT NULL, dim INTEGER NOT NULL,
      ids BLOB NOT NULL, codes BLOB NOT NULL, scales BLOB NOT NULL, PRIMARY KEY (tenant, user_id, target_type))`);
  },
  // 5 → 6 (issue 9: ≤ 2 KB per turn): vectors stored as 8-bit codes and a scale (4 + dim
  // bytes, src/store/sqlite/vectors.ts; the `dim` column goes: it is the blob's length − 4),
  // their table as an integer code (TARGET_CODE);
  // history rows that repeat their memory's current row keep no copy of its text, times
  // and sources (text NULL; src/store/sqlite/commit.ts), and the plain "add" that created
  // a memory is a flag on it (memories.history_add); a last access equal to the observed
  // time is stored as '', so are the usual provenance values (user, trusted, none;
  // src/store/sqlite/rows.ts); content hashes stored as their
  // 32 bytes (src/store/sqlite/rows.ts, hashColumn), indexed by their first 8; memory_links keyed by a 53-bit hash
  // of the id (src/store/sqlite/search.ts, linkKey).
  (db) => {
    addColumns(db, "memories", ["history_add INTEGER"]);
    db.function("mnemo_q8", { deterministic: true }, (data: unknown) => encodeVector(floats(data as Buffer)));
    db.function("mnemo_link_key", { deterministic: true }, (key: unknown) => linkKey(String(key)));
    db.exec(`
    CREATE TABLE vectors_v6 (
      tenant TEXT NOT NULL, user_id TEXT NOT NULL, target_type INTEGER NOT NULL, target_id TEXT NOT NULL,
      data BLOB NOT NULL, PRIMARY KEY (tenant, user_id, target_type, target_id)
    ) WITHOUT ROWID;
    INSERT INTO vectors_v6 (tenant, user_id, target_type, target_id, data)
      SELECT tenant, user_id, CASE target_type WHEN 'memory' THEN 0 WHEN 'episode' THEN 1 ELSE 2 END, target_id, mnemo_q8(data) FROM vectors ORDER BY 1, 2, 3, 4;
    DROP TABLE vectors;
    ALTER TABLE vectors_v6 RENAME TO vectors;

    CREATE TABLE memory_history_v6 (
      memory_id TEXT NOT NULL, tenant TEXT NOT NULL, user_id TEXT NOT NULL, version INTEGER NOT NULL, op TEXT NOT NULL,
      text TEXT, valid_from TEXT, valid_to TEXT, sources TEXT, at TEXT NOT NULL, reason TEXT
    );
    INSERT INTO memory_history_v6 (rowid, memory_id, tenant, user_id, version, op, text, valid_from, valid_to, sources, at, reason)
      SELECT h.rowid, h.memory_id, h.tenant, h.user_id, h.version, h.op,
        IIF(same, NULL, h.text), IIF(same, NULL, h.valid_from), IIF(same, NULL, h.valid_to), IIF(same, NULL, h.sources), h.at, h.reason
      FROM (SELECT h.*, h.rowid AS rowid, (m.id IS NOT NULL AND m.text = h.text AND m.valid_from IS h.valid_from AND m.valid_to IS h.valid_to AND m.sources = h.sources) AS same
        FROM memory_history h LEFT JOIN memories m ON m.id = h.memory_id AND m.tenant = h.tenant AND m.user_id = h.user_id) h
      ORDER BY h.rowid;
    DROP TABLE memory_history;
    ALTER TABLE memory_history_v6 RENAME TO memory_history;
    CREATE INDEX memory_history_id ON memory_history (memory_id, version);
    CREATE INDEX memory_history_scope ON memory_history (tenant, user_id);

    CREATE TEMP TABLE implicit_add AS SELECT h.rowid AS hid, m.rid AS mrid FROM memories m JOIN memory_history h ON h.memory_id = m.id
      WHERE h.rowid = (SELECT MIN(rowid) FROM memory_history WHERE memory_id = m.id)
        AND h.tenant = m.tenant AND h.user_id = m.user_id AND h.op = 'add' AND h.reason IS NULL AND h.text IS NULL AND h.version = m.version AND h.at = m.recorded_at;
    UPDATE memories SET history_add = 1 WHERE rid IN (SELECT mrid FROM implicit_add);
    DELETE FROM memory_history WHERE rowid IN (SELECT hid FROM implicit_add);
    DROP TABLE implicit_add;

    UPDATE episodes SET content_hash = unhex(content_hash) WHERE typeof(content_hash) = 'text' AND length(content_hash) = 64 AND content_hash NOT GLOB '*[^0-9a-f]*';
    UPDATE memories SET last_accessed_at = '' WHERE last_accessed_at = observed_at;
    UPDATE memories SET source = IIF(source = 'user', '', source), trust = IIF(trust = 'trusted', '', trust), sensitivity = IIF(sensitivity = '[]', '', sensitivity);
    UPDATE episodes SET source = IIF(source = 'user', '', source), trust = IIF(trust = 'trusted', '', trust), sensitivity = IIF(sensitivity = '[]', '', sensitivity);
    DROP INDEX IF EXISTS episodes_hash;
    CREATE INDEX episodes_hash ON episodes (tenant, user_id, substr(content_hash, 1, 8));

    CREATE TABLE memory_links_v6 (link INTEGER NOT NULL, key INTEGER NOT NULL, memory_rid INTEGER NOT NULL, PRIMARY KEY (link, key, memory_rid)) WITHOUT ROWID;
    INSERT OR IGNORE INTO memory_links_v6 (link, key, memory_rid) SELECT link, mnemo_link_key(key), memory_rid FROM memory_links;
    DROP TABLE memory_links;
    ALTER TABLE memory_links_v6 RENAME TO memory_links;
    `);
  },
  // 6 → 7 (issue 9: first recall after open): a vector snapshot is stored in rows of
  // SNAPSHOT_PART_BYTES (one 14 MB blob read through overflow pages took ≈ 110 ms). The
  // snapshots are derived data: the old ones are dropped and rewritten at the next close.
  `
  DROP TABLE IF EXISTS vector_snapshots;
  CREATE TABLE vector_snapshots (
    tenant TEXT NOT NULL, user_id TEXT NOT NULL, target_type TEXT NOT NULL, part INTEGER NOT NULL,
    gen INTEGER NOT NULL, dim INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (tenant, user_id, target_type, part));
  `,
];

/**
 * Brings the database to {@link SCHEMA_VERSION}, in one transaction.
 * A database written by a newer Mnemo is refused with SCHEMA_MISMATCH.
 *
 * @example
 * ```ts
 * const db = new Database("mnemo.db");
 * migrate(db); // throws SCHEMA_MISMATCH for a newer file
 * ```
 */
export function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new MnemoError("SCHEMA_MISMATCH", `The file has schema version ${current}; this Mnemo supports up to ${SCHEMA_VERSION}.`);
  }
  if (current === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let v = current; v < SCHEMA_VERSION; v++) {
      const step = MIGRATIONS[v]!;
      if (typeof step === "string") db.exec(step);
      else step(db);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
