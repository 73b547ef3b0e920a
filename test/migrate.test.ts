/**
 * `mnemo migrate`: a whole store moves SQLite → PostgreSQL → SQLite, verified by every
 * user's export checksum, with vectors and history as they were.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { migrateStore } from "../src/cli/commands/migrate.js";
import { openKeys } from "../src/server/state.js";
import { Mnemo } from "../src/mnemo.js";
import { expectCode, exportText, ingestLocomo, locomo, tempDir } from "./support/fixtures.js";
import { freshPgUrl, PG_OFF, stopTestPostgres } from "./support/postgres.js";
import { ROOT, sha256 } from "./support/server-harness.js";

afterAll(stopTestPostgres);

describe.skipIf(PG_OFF)("mnemo migrate", () => {
  it("moves a whole store SQLite → PostgreSQL → SQLite with equal export checksums, vectors and history", async () => {
    const tmp = tempDir("mnemo-migrate-");
    const pgTarget = await freshPgUrl("mig");
    try {
      const a = join(tmp.dir, "a.db");
      const src = await Mnemo.open({ path: a });
      await ingestLocomo(src, locomo("conv-26", 3), "caroline");
      await ingestLocomo(src, locomo("conv-30", 2), "gina", "acme");
      await src.recall("Where did Caroline go?", { userId: "caroline" });
      const first = (await src.memories({ userId: "caroline", limit: 1 })).items[0]!;
      await src.forget(first.id, { userId: "caroline" });
      const before = { caroline: await exportText(src, "caroline"), gina: await exportText(src, "gina", "acme") };
      const vectors = await src.store.loadVectors({ tenant: "default", userId: "caroline" }, "episode");
      await src.close();
      // API keys travel with the store (hashes as stored; a revoked key stays revoked).
      const srcKeys = await openKeys(a);
      const apiKey = (await srcKeys.keys.create({ tenant: "acme", scopes: "read,write" })).key;
      const gone = await srcKeys.keys.create({ tenant: "acme" });
      await srcKeys.keys.revoke(gone.info.id);
      await srcKeys.close();

      const there = await migrateStore(a, pgTarget.url);
      expect(there.verified).toBe(true);
      expect(there.counts.users).toBe(2);
      expect(there.users.map((u) => `${u.tenant}/${u.userId}`).sort()).toEqual(["acme/gina", "default/caroline"]);
      expect(there.users.find((u) => u.userId === "caroline")!.sha256).toBe(sha256(before.caroline));
      expect(there.keys).toBe(2);
      const pgKeys = await openKeys(pgTarget.url);
      expect((await pgKeys.keys.verify(apiKey))?.tenant).toBe("acme");
      expect(await pgKeys.keys.verify(gone.key)).toBeNull();
      await pgKeys.close();

      const pg = await Mnemo.open({ path: pgTarget.url });
      expect(await exportText(pg, "caroline")).toBe(before.caroline);
      expect(await exportText(pg, "gina", "acme")).toBe(before.gina);
      const pgVectors = await pg.store.loadVectors({ tenant: "default", userId: "caroline" }, "episode");
      expect(pgVectors.ids).toEqual(vectors.ids);
      expect(Buffer.from(pgVectors.data.buffer).equals(Buffer.from(vectors.data.buffer))).toBe(true);
      // The copy is usable: recall answers from it.
      expect((await pg.recall("Caroline", { userId: "caroline", reinforce: false })).context.length).toBeGreaterThan(0);
      await pg.close();

      // And back, through the CLI.
      const b = join(tmp.dir, "b.db");
      const out = execFileSync(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "migrate", "--from", pgTarget.url, "--to", b, "--json"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, NODE_NO_WARNINGS: "1" },
      });
      const back = JSON.parse(out) as { verified: boolean; keys: number; users: Array<{ userId: string; sha256: string }> };
      expect(back.verified).toBe(true);
      expect(back.keys).toBe(2);
      const sqKeys = await openKeys(b);
      expect((await sqKeys.keys.verify(apiKey))?.tenant).toBe("acme");
      await sqKeys.close();
      expect(back.users.find((u) => u.userId === "caroline")!.sha256).toBe(sha256(before.caroline));
      const sq = await Mnemo.open({ path: b });
      expect(await exportText(sq, "gina", "acme")).toBe(before.gina);
      await sq.close();

      // A target that holds data is refused.
      await expectCode(migrateStore(a, b), "CONFLICT");
    } finally {
      await pgTarget.drop();
      tmp.cleanup();
    }
  }, 180_000);
});
