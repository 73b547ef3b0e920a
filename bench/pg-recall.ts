/**
 * `npx tsx bench/pg-recall.ts --db postgres://… --schema big --grow 100000`: grows user
 * "grown" in a kept schema (bench:scale's stream, resumed where the schema stops), then
 * times warm recalls (bench:scale's questions) and lists the statements they cost, with
 * the parameters of the slowest (to EXPLAIN them). A profiling aid for PostgreSQL recall at
 * scale: build a large user once, then rerun recalls against it with each build.
 *
 * @example
 * ```sh
 * npx tsx bench/pg-recall.ts --db postgres://postgres@127.0.0.1:5432/postgres --schema big --grow 100000
 * npx tsx bench/pg-recall.ts --db postgres://postgres@127.0.0.1:5432/postgres --schema big --recalls 40 --slow 3
 * ```
 */
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readLocomo } from "../src/importers/locomo.js";
import { Mnemo } from "../src/mnemo.js";
import { grownSessions } from "./grown-user.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    db: { type: "string" },
    schema: { type: "string" },
    grow: { type: "string" },
    recalls: { type: "string" },
    skip: { type: "string" },
    slow: { type: "string" },
    timeline: { type: "boolean" },
    data: { type: "string" },
  },
});
if (!values.db || !values.schema) throw new Error("--db postgres://… and --schema NAME are required");
const data = values.data ?? resolve(ROOT, "../shared/data/locomo/locomo-dev.json");
const recalls = Number(values.recalls ?? 40);
const skip = Number(values.skip ?? 1);
const slowN = Number(values.slow ?? 0);
const url = `${values.db}${values.db.includes("?") ? "&" : "?"}schema=${values.schema}`;

interface Stat { n: number; ms: number; worst: number; worstParams: unknown }
const stats = new Map<string, Stat>();
let count = 0;
let total = 0;
let tracing = false;
let recallStart = 0;
const timeline: string[] = [];
const pg = createRequire(import.meta.url)("pg") as typeof import("pg");
const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
const orig = proto.query;
proto.query = function (this: unknown, ...a: unknown[]) {
  if (!tracing) return orig.apply(this, a);
  const sql = typeof a[0] === "string" ? a[0] : String((a[0] as { text?: string })?.text ?? "?");
  const params = typeof a[0] === "string" ? a[1] : (a[0] as { values?: unknown })?.values;
  const t0 = performance.now();
  const done = () => {
    const ms = performance.now() - t0;
    const flat = sql.replace(/\s+/g, " ").trim();
    const s = stats.get(flat) ?? { n: 0, ms: 0, worst: 0, worstParams: undefined };
    s.n++, (s.ms += ms);
    if (ms > s.worst) (s.worst = ms), (s.worstParams = Array.isArray(params) ? params : undefined);
    stats.set(flat, s), count++, (total += ms);
    if (values.timeline) timeline.push(`${(t0 - recallStart).toFixed(1).padStart(7)} → ${(t0 - recallStart + ms).toFixed(1).padStart(7)} ms  ${flat.slice(0, 110)}`);
  };
  const cb = a[a.length - 1];
  if (typeof cb === "function") a[a.length - 1] = (...r: unknown[]) => (done(), (cb as (...x: unknown[]) => unknown)(...r));
  const out = orig.apply(this, a) as Promise<unknown> | undefined;
  if (out && typeof out.then === "function") out.then(done, done);
  return out;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const mnemo = await Mnemo.open({ path: url });
const user = { userId: "grown" };
try {
  const goal = Number(values.grow ?? 0);
  if (goal > 0) {
    const c = new pg.Client({ connectionString: values.db });
    await c.connect();
    const have = Number((await c.query(`SELECT count(*) AS n FROM ${values.schema}.episodes WHERE user_id = 'grown'`)).rows[0].n);
    await c.end();
    let seen = 0;
    const t0 = performance.now();
    let done = have;
    for (const s of grownSessions(data)) {
      if (seen >= goal) break;
      const msgs = s.slice(0, goal - seen);
      seen += msgs.length;
      if (seen <= have) continue;
      await mnemo.remember(msgs, user);
      done += msgs.length;
      if (done % 5000 < msgs.length) console.log(`${done} turns, ${(((done - have) / (performance.now() - t0)) * 1000).toFixed(0)} turns/s`);
    }
    console.log(`grown to ${done} turns (${have} before)`);
  }
  const qs = readLocomo(data).flatMap((c) => c.qa.filter((q) => q.category !== 5).map((q) => q.question));
  await mnemo.recall(qs[0]!, user);
  const lat: number[] = [];
  tracing = true;
  for (const q of qs.slice(skip, skip + recalls)) {
    const t = performance.now();
    recallStart = t;
    timeline.length = 0;
    await mnemo.recall(q, user);
    lat.push(performance.now() - t);
    // --timeline: each statement's start and end within the recall (the last recall's).
    if (values.timeline && lat.length === recalls) console.log(`timeline of the last recall (${lat.at(-1)!.toFixed(1)} ms):\n${timeline.join("\n")}`);
  }
  tracing = false;
  console.log(`warm recall: ${recalls} recalls, p50 ${pct(lat, 50).toFixed(1)} ms, p95 ${pct(lat, 95).toFixed(1)} ms, mean ${(lat.reduce((a, b) => a + b, 0) / lat.length).toFixed(1)} ms; ${(count / recalls).toFixed(1)} statements/recall, ${(total / recalls).toFixed(1)} ms in statements/recall`);
  const top = [...stats].sort((a, b) => b[1].ms - a[1].ms);
  for (const [k, s] of top.slice(0, 12)) {
    const short = k.length > 150 ? `${k.slice(0, 70)} … ${k.slice(-75)}` : k;
    console.log(`  ${(s.n / recalls).toFixed(2).padStart(6)}× ${(s.ms / recalls).toFixed(2).padStart(7)} ms/recall  worst ${s.worst.toFixed(1).padStart(6)} ms  ${short}`);
  }
  // --slow N: EXPLAIN (ANALYZE, BUFFERS) of the N costliest statements, each with the parameters of its slowest run.
  const c = new pg.Client({ connectionString: values.db, options: `-c search_path=${values.schema},public -c hnsw.iterative_scan=relaxed_order -c hnsw.ef_search=100` });
  await c.connect();
  for (const [k, s] of top.slice(0, slowN)) {
    if (!/^\s*(SELECT|WITH)/i.test(k) || /mnemo_touch/.test(k)) continue;
    const plan = await orig.call(c, `EXPLAIN (ANALYZE, BUFFERS) ${k}`, s.worstParams) as { rows: Array<Record<string, string>> };
    console.log(`\n-- worst ${s.worst.toFixed(1)} ms: ${k.slice(0, 300)}\n${plan.rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
  }
  await c.end();
} finally {
  await mnemo.close();
}
