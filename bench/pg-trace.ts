/**
 * `npx tsx bench/pg-trace.ts --db postgres://…`: counts the PostgreSQL round trips and
 * their time per `remember` and per `recall` for one user grown from LoCoMo text (the same
 * stream as bench:scale), and lists the statements that cost the most. A profiling aid for
 * the PostgreSQL store; a fresh schema is used and dropped.
 *
 * @example
 * ```sh
 * npx tsx bench/pg-trace.ts --db postgres://postgres@127.0.0.1:5432/postgres --turns 1000 --recalls 30
 * ```
 */
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readLocomo } from "../src/importers/locomo.js";
import { Mnemo } from "../src/mnemo.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { db: { type: "string" }, turns: { type: "string" }, recalls: { type: "string" }, data: { type: "string" }, schema: { type: "string" } } });
if (!values.db) throw new Error("--db postgres://… is required");
const turns = Number(values.turns ?? 1000);
const recalls = Number(values.recalls ?? 30);
const data = values.data ?? resolve(ROOT, "../shared/data/locomo/locomo-dev.json");

interface Stat { n: number; ms: number }
const stats = new Map<string, Stat>();
let count = 0;
let total = 0;
const pg = createRequire(import.meta.url)("pg") as typeof import("pg");
for (const proto of [pg.Client.prototype, pg.Pool.prototype] as Array<{ query: (...a: unknown[]) => unknown }>) {
  const orig = proto.query;
  proto.query = function (this: unknown, ...a: unknown[]) {
    const sql = typeof a[0] === "string" ? a[0] : String((a[0] as { text?: string })?.text ?? "?");
    // The pool delegates to a client: count clients only.
    if (proto === (pg.Pool.prototype as unknown)) return orig.apply(this, a);
    const t0 = performance.now();
    const done = () => {
      const ms = performance.now() - t0;
      const flat = sql.replace(/\s+/g, " ").trim();
      const k = flat.length > 150 ? `${flat.slice(0, 60)} … ${flat.slice(-85)}` : flat;
      const s = stats.get(k) ?? { n: 0, ms: 0 };
      s.n++, (s.ms += ms), stats.set(k, s);
      count++, (total += ms);
    };
    // The pool calls its client's query with a callback; everyone else gets a promise.
    const cb = a[a.length - 1];
    if (typeof cb === "function") a[a.length - 1] = (...r: unknown[]) => (done(), (cb as (...x: unknown[]) => unknown)(...r));
    const out = orig.apply(this, a) as Promise<unknown> | undefined;
    if (out && typeof out.then === "function") out.then(done, done);
    return out;
  };
}
const reset = () => (stats.clear(), (count = 0), (total = 0));
const report = (label: string, ops: number, wallMs: number) => {
  console.log(`\n${label}: ${ops} ops, ${(count / ops).toFixed(1)} statements/op, ${(total / ops).toFixed(1)} ms in statements/op, ${(wallMs / ops).toFixed(1)} ms wall/op`);
  for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) console.log(`  ${(s.n / ops).toFixed(2).padStart(7)}× ${(s.ms / ops).toFixed(2).padStart(7)} ms  ${k}`);
};

// --schema: recall on a schema ingested before (user "grown"), kept; else a fresh one, dropped.
const schema = values.schema ?? `trace_${process.pid}`;
const url = `${values.db}${values.db.includes("?") ? "&" : "?"}schema=${schema}`;
const convs = readLocomo(data);
const sessions = convs.flatMap((c) => c.sessions.map((s) => s.messages.map((m) => ({ ...m, id: `${c.sampleId}:${m.id}`, sessionId: `${c.sampleId}:${s.sessionId}` }))));
const qs = convs.flatMap((c) => c.qa.filter((q) => q.category !== 5).map((q) => q.question));
const mnemo = await Mnemo.open({ path: url });
try {
  const user = { userId: "grown" };
  let left = values.schema ? 0 : turns;
  let batches = 0;
  reset();
  let t0 = performance.now();
  for (let copy = 0; left > 0; copy++) {
    for (const s of sessions) {
      if (left <= 0) break;
      const msgs = s.slice(0, left).map((m) => ({ ...m, id: `${copy}:${m.id}`, sessionId: `${copy}:${m.sessionId}` }));
      await mnemo.remember(msgs, user);
      left -= msgs.length;
      batches++;
    }
  }
  if (batches > 0) report(`remember (one session per call, ${turns} turns)`, batches, performance.now() - t0);
  await mnemo.recall(qs[0]!, user);
  reset();
  t0 = performance.now();
  for (const q of qs.slice(1, 1 + recalls)) await mnemo.recall(q, user);
  report("recall (warm)", recalls, performance.now() - t0);
  // The chat loop: one message per remember (what the HTTP load benchmark sends).
  reset();
  t0 = performance.now();
  for (let i = 0; i < 20; i++) await mnemo.remember([{ id: `live:${i}`, sessionId: "live", speaker: "Dana", content: `Yesterday I went hiking near Lisbon with Sam (note ${i}).` }], user);
  report("remember (one message)", 20, performance.now() - t0);
} finally {
  await mnemo.close();
  const c = new pg.Client({ connectionString: values.db });
  await c.connect();
  if (!values.schema) await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}
