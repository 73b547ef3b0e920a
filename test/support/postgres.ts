/**
 * A real PostgreSQL server (with pgvector) for tests.
 *
 * - `MNEMO_TEST_PG_URL` set (CI does this in .ci/run): that server is used.
 * - Unset: the first call starts a throwaway server with ../shared/scripts/start-postgres.sh
 *   (installing PostgreSQL + pgvector if needed, which needs root); the test file stops it
 *   with `afterAll(stopTestPostgres)`.
 * - `MNEMO_TEST_PG=off` skips the PostgreSQL suites explicitly; under `CI` that, or a server
 *   that cannot be started, is a failure, never a silent skip.
 *
 * Each store gets a schema of its own (`?schema=t_…`), dropped by its cleanup.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";

const SCRIPTS = fileURLToPath(new URL("../../../shared/scripts/", import.meta.url));

/** True when PostgreSQL suites were switched off explicitly (never under CI). */
export const PG_OFF = process.env.MNEMO_TEST_PG === "off" && !process.env.CI;

let started: Promise<string> | null = null;
let startedDir: string | null = null;

/**
 * Stops the server {@link testPgUrl} started, if it started one. Every PostgreSQL test file
 * calls `afterAll(stopTestPostgres)` (a worker's exit hooks do not run reliably).
 */
export async function stopTestPostgres(): Promise<void> {
  if (!startedDir) return;
  const dir = startedDir;
  startedDir = null;
  started = null;
  delete process.env.MNEMO_TEST_PG_URL;
  execFileSync(`${SCRIPTS}stop-postgres.sh`, [dir], { stdio: "ignore" });
}

/** The test server's URL, starting one if none was given. */
export function testPgUrl(): Promise<string> {
  if (process.env.MNEMO_TEST_PG_URL) return Promise.resolve(process.env.MNEMO_TEST_PG_URL);
  if (process.env.CI) return Promise.reject(new Error("CI: MNEMO_TEST_PG_URL must be set (.ci/run starts PostgreSQL and exports it)."));
  started ??= (async () => {
    const script = `${SCRIPTS}start-postgres.sh`;
    if (!existsSync(script)) throw new Error(`No PostgreSQL for tests: set MNEMO_TEST_PG_URL (or MNEMO_TEST_PG=off to skip); ${script} is missing.`);
    const port = String(55000 + (process.pid % 4000));
    const out = execFileSync(script, [port], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n");
    startedDir = out[0]!;
    const url = out[out.length - 1]!;
    process.env.MNEMO_TEST_PG_URL = url;
    return url;
  })();
  return started;
}

/** A fresh schema name. */
export function schemaName(prefix = "t"): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/** The URL of a fresh, empty schema on the test server, and a cleanup that drops it. */
export async function freshPgUrl(prefix = "t"): Promise<{ url: string; schema: string; drop: () => Promise<void> }> {
  const base = await testPgUrl();
  const schema = schemaName(prefix);
  const url = `${base}${base.includes("?") ? "&" : "?"}schema=${schema}`;
  return {
    url,
    schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
