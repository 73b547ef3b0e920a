import type { Command } from "commander";
import { createHash } from "node:crypto";
import { MnemoError } from "../../core/errors.js";
import { Mnemo } from "../../mnemo.js";
import { copyStore, type CopyCounts } from "../../store/migrate.js";
import { redactUrl } from "../../store/postgres/driver.js";
import { openKeys } from "../../server/state.js";
import { print, progress, type GlobalOptions } from "../output.js";

/**
 * The outcome of `mnemo migrate`: counts, and per user the SHA-256 of the export on both
 * sides (equal, or the command fails).
 *
 * @example
 * ```ts
 * const r: MigrateReport = { from: "mnemo.db", to: "postgres://…", counts, users: [{ tenant: "default", userId: "alice", sha256: "…" }], verified: true };
 * ```
 */
export interface MigrateReport {
  from: string;
  to: string;
  counts: CopyCounts;
  users: Array<{ tenant: string; userId: string; sha256: string }>;
  verified: boolean;
  /** API keys copied (as stored: only hashes; revoked ones too). Idempotency-Key replies are not copied. */
  keys: number;
}

async function exportHash(m: Mnemo, tenant: string, userId: string): Promise<string> {
  const h = createHash("sha256");
  for await (const line of m.export({ tenant, userId })) h.update(line + "\n");
  return h.digest("hex");
}

/**
 * Moves a whole store to another location (`--from mnemo.db --to postgres://…`, or back)
 * and verifies it: every user's export must hash the same on both sides.
 *
 * @example
 * ```ts
 * const report = await migrateStore("./mnemo.db", "postgres://mnemo@db/mnemo");
 * report.verified; // true
 * ```
 */
export async function migrateStore(from: string, to: string, onUser?: (done: number, total: number) => void): Promise<MigrateReport> {
  if (from === to) throw new MnemoError("INVALID_INPUT", "--from and --to name the same store.");
  const src = await Mnemo.open({ path: from });
  try {
    const dst = await Mnemo.open({ path: to });
    try {
      const counts = await copyStore(src.store, dst.store, (_s, done, total) => onUser?.(done, total));
      const users: MigrateReport["users"] = [];
      for (const tenant of await src.store.listTenants()) {
        for (const userId of await src.store.listUsers(tenant)) {
          const [a, b] = [await exportHash(src, tenant, userId), await exportHash(dst, tenant, userId)];
          if (a !== b) throw new MnemoError("STORE_ERROR", `Verification failed: the export of ${tenant}/${userId} differs after the copy (${a.slice(0, 12)} vs ${b.slice(0, 12)}).`);
          users.push({ tenant, userId, sha256: a });
        }
      }
      // API keys travel with the store (rows as stored: a key keeps working on the target).
      const [fromKeys, toKeys] = [await openKeys(from), await openKeys(to)];
      let keys = 0;
      try {
        keys = await toKeys.keys.putRows(await fromKeys.keys.rows());
      } finally {
        await fromKeys.close();
        await toKeys.close();
      }
      return { from: redactUrl(from), to: redactUrl(to), counts, users, verified: true, keys };
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}

/**
 * Registers `mnemo migrate --from <path|url> --to <path|url>`.
 *
 * @example
 * ```ts
 * registerMigrateCommand(program, () => ({ tenant: "default" }));
 * ```
 */
export function registerMigrateCommand(program: Command, g: () => GlobalOptions): void {
  program
    .command("migrate")
    .description("copy a whole store into an empty one (SQLite file ⇄ postgres:// URL), verified by per-user export checksums")
    .requiredOption("--from <path|url>", "source store: SQLite file or postgres:// URL")
    .requiredOption("--to <path|url>", "target store (must be empty): SQLite file or postgres:// URL")
    .action(async (o: { from: string; to: string }) => {
      const opts = g();
      const bar = progress("migrate");
      const r = await migrateStore(o.from, o.to, (done, total) => bar.update(done, total)).finally(() => bar.stop());
      print(opts.json, r, () =>
        [
          `migrated ${r.from} → ${r.to}`,
          `users ${r.counts.users}  episodes ${r.counts.episodes}  memories ${r.counts.memories}  entities ${r.counts.entities}  history ${r.counts.history}  vectors ${r.counts.vectors}  API keys ${r.keys}`,
          `verified: every user's export has the same SHA-256 on both sides`,
        ].join("\n"),
      );
    });
}
