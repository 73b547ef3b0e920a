/**
 * Selection by URL (issue #10): `--db postgres://…` and `MNEMO_DB=postgres://…` reach the
 * PostgreSQL store for CLI commands, `mnemo mcp` (the SDK client over stdio) and keys.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/main.js";
import { Mnemo } from "../src/mnemo.js";
import { PostgresStore } from "../src/store/postgres/index.js";
import { freshPgUrl, PG_OFF, stopTestPostgres } from "./support/postgres.js";
import { ROOT, tempDir } from "./support/server-harness.js";

afterAll(stopTestPostgres);

async function mnemo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await run(["node", "mnemo", ...args], { stdout: { write: (s: string) => ((stdout += s), true) }, stderr: { write: (s: string) => ((stderr += s), true) } });
  return { code, stdout, stderr };
}

describe.skipIf(PG_OFF)("postgres:// URLs select the PostgreSQL store", () => {
  it("--db and MNEMO_DB for CLI commands, and mnemo mcp over stdio", async () => {
    const pg = await freshPgUrl("cli");
    const tmp = tempDir("mnemo-cli-pg-");
    const saved = { db: process.env.MNEMO_DB };
    try {
      const r1 = await mnemo(["--db", pg.url, "--json", "remember", "--user", "alice", "--at", "2023-05-08", "I moved to Lisbon last month."]);
      expect(r1.code, r1.stderr).toBe(0);
      process.env.MNEMO_DB = pg.url;
      const r2 = await mnemo(["--json", "recall", "Where does alice live?", "--user", "alice"]);
      expect(r2.code, r2.stderr).toBe(0);
      expect((JSON.parse(r2.stdout) as { context: string }).context).toContain("Lisbon");
      // Keys of a PostgreSQL store live in PostgreSQL (table api_keys), for every server on it.
      const k = await mnemo(["--json", "keys", "create", "--tenant", "acme"]);
      expect(k.code, k.stderr).toBe(0);
      const created = JSON.parse(k.stdout) as { key: string; id: string };
      const listed = await mnemo(["--json", "keys", "list"]);
      expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((x) => x.id)).toEqual([created.id]);
      // The data is in PostgreSQL, not in a file named like the URL.
      const store = await PostgresStore.open(pg.url);
      expect(await store.stats({ tenant: "default", userId: "alice" })).toMatchObject({ episodes: 1 });
      expect((await store.serverTables().keys.verify(created.key))?.tenant).toBe("acme");
      await store.close();
      const revoked = await mnemo(["--json", "keys", "revoke", created.id]);
      expect(revoked.code, revoked.stderr).toBe(0);
      const again = await PostgresStore.open(pg.url);
      expect(await again.serverTables().keys.verify(created.key)).toBeNull();
      await again.close();

      const transport = new StdioClientTransport({
        command: process.execPath,
        args: ["--import", "tsx", join(ROOT, "src/mcp/main.ts"), "--db", pg.url, "--user", "alice"],
        cwd: ROOT,
        env: { ...(process.env as Record<string, string>), NODE_NO_WARNINGS: "1" },
        stderr: "ignore",
      });
      const client = new Client({ name: "pg-test", version: "1.0.0" });
      await client.connect(transport);
      try {
        const res = (await client.callTool({ name: "recall", arguments: { query: "Where does alice live?" } })) as { content: Array<{ text: string }> };
        expect(res.content.map((c) => c.text).join("\n")).toContain("Lisbon");
      } finally {
        await client.close();
      }
      const m = await Mnemo.open({ path: pg.url });
      expect(m.store.dialect).toBe("postgres");
      await m.close();
    } finally {
      if (saved.db === undefined) delete process.env.MNEMO_DB;
      else process.env.MNEMO_DB = saved.db;
      await pg.drop();
      tmp.cleanup();
    }
  }, 90_000);

  it("an unsupported URL scheme is INVALID_CONFIG, not a file named like the URL", async () => {
    const r = await mnemo(["--db", "mysql://u@h/db", "--json", "remember", "--user", "u", "hello there"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("INVALID_CONFIG");
    expect(existsSync("mysql:")).toBe(false);
  });
});
