/**
 * What one GET /metrics costs on a large store, before and after issue #11 item 6:
 * before, every scrape counted every table (`store.stats()`, the old `mnemo_store_records`
 * gauge); now it renders maintained counters and two file stats.
 *
 *   npx tsx bench/metrics-scrape.ts            # 1M episodes + 1M memories (N=1000000)
 *   N=100000 npx tsx bench/metrics-scrape.ts
 *
 * Prints {rows, fullCountMs, renderMs, ratio}: medians of 5, on this machine (compare the ratio).
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Mnemo } from "../src/mnemo.js";
import { ServerMetrics } from "../src/server/metrics.js";

const dir = mkdtempSync(join(tmpdir(), "mnemo-metrics-"));
const path = join(dir, "m.db");
const N = Number(process.env.N ?? 1_000_000);
await (await Mnemo.open({ path })).close();
// Rows straight into the tables (no full-text or vectors: only the counts matter here).
const db = new Database(path);
db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${N})
  INSERT INTO episodes (id, external_id, tenant, user_id, agent_id, session_id, speaker, role, text, attachment_text, occurred_at, recorded_at, content_hash, segment_id, seq, metadata)
  SELECT 'ep_' || i, NULL, 't', 'u' || (i % 1000), NULL, NULL, 'user', 'user', 'text ' || i, NULL, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', 'h' || i, NULL, i, '{}' FROM n;
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${N})
  INSERT INTO memories (id, tenant, user_id, agent_id, kind, text, subject, slot, valid_from, valid_to, observed_at, recorded_at, invalidated_at, confidence, importance, strength, last_accessed_at, access_count, sources, entity_ids, segment_ids, version, forgotten_at, expires_at, metadata)
  SELECT 'mem_' || i, 't', 'u' || (i % 1000), NULL, 'fact', 'text ' || i, NULL, NULL, NULL, NULL, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', NULL, 0.5, 0.5, 1, '2024-01-01T00:00:00.000Z', 0, '["ep_1"]', '[]', '[]', 1, NULL, NULL, '{}' FROM n;`);
db.close();
const mnemo = await Mnemo.open({ path });
const median = async (f: () => Promise<unknown>, reps = 5) => {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
};
const fullCount = await median(() => mnemo.stats());
const metrics = new ServerMetrics({ mnemo, dbPath: path });
// Bypass the one-second rendering cache: every call renders.
const render = await median(async () => {
  (metrics as unknown as { cached: null }).cached = null;
  await metrics.render();
});
console.log(JSON.stringify({ rows: N * 2, fullCountMs: +fullCount.toFixed(1), renderMs: +render.toFixed(2), ratio: Math.round(fullCount / render) }));
await mnemo.close();
rmSync(dir, { recursive: true, force: true });
