/**
 * Where a SQLite store's bytes go (issue 9): bytes per turn of each table and index
 * (SQLite's dbstat), the full-text tables' shadow tables summed per table.
 *
 * @example
 * ```sh
 * npx tsx bench/db-bytes.ts /tmp/mnemo-profile-10000.db
 * ```
 */
import Database from "better-sqlite3";

const path = process.argv[2];
if (!path) throw new Error("usage: db-bytes.ts FILE");
const db = new Database(path, { readonly: true });
const turns = (db.prepare(`SELECT COUNT(*) AS n FROM episodes`).get() as { n: number }).n;
const rows = db.prepare(`SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name`).all() as Array<{ name: string; bytes: number }>;
const owner = new Map<string, string>();
for (const r of db.prepare(`SELECT name, tbl_name FROM sqlite_master`).all() as Array<{ name: string; tbl_name: string }>) owner.set(r.name, r.tbl_name);
const group = (name: string) => {
  const fts = /^(fts_\w+?)_(data|idx|docsize|config|content)$/.exec(name);
  if (fts) return fts[1]!;
  return owner.get(name) ?? name;
};
const by = new Map<string, { table: number; indexes: number }>();
for (const r of rows) {
  const g = group(r.name);
  const e = by.get(g) ?? { table: 0, indexes: 0 };
  if (g === r.name || /^fts_/.test(r.name)) e.table += r.bytes;
  else e.indexes += r.bytes;
  by.set(g, e);
}
const total = rows.reduce((s, r) => s + r.bytes, 0);
const per = (b: number) => (b / turns).toFixed(0);
console.log(`${path}: ${turns} turns, ${(total / 1048576).toFixed(2)} MiB, ${per(total)} bytes/turn`);
for (const [name, e] of [...by.entries()].sort((a, b) => b[1].table + b[1].indexes - (a[1].table + a[1].indexes))) {
  if (e.table + e.indexes === 0) continue;
  console.log(`  ${name.padEnd(22)} ${per(e.table).padStart(6)}${e.indexes ? ` + ${per(e.indexes)} indexes` : ""}`);
}
const counts = ["memories", "memory_history", "vectors", "memory_links", "segments", "entities"].map((t) => `${t} ${(db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n}`);
console.log(`  rows: episodes ${turns}, ${counts.join(", ")}`);
