/**
 * Where a recall's time goes at a given size (issue 9): builds (or reuses) one user grown
 * from LoCoMo dev text like bench/scale.ts, then times warm recalls and the store calls
 * they make, beside the FTS5 floor of the same questions in the same run.
 *
 * @example
 * ```sh
 * npx tsx bench/recall-profile.ts --size 10000 --db /tmp/prof/10k.db
 * ```
 */
import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Mnemo } from "../src/mnemo.js";
import { readLocomo } from "../src/importers/locomo.js";
import { grownSessions } from "./grown-user.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import type { Store } from "../src/store/types.js";
import { chrono, compromise, tokenizer } from "../src/core/lazy-deps.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const get = (k: string) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : undefined;
};
const size = Number(get("--size") ?? 1000);
const dbPath = get("--db") ?? `/tmp/mnemo-profile-${size}.db`;
const iters = Number(get("--iters") ?? 40);
const data = get("--data") ?? resolve(ROOT, "../shared/data/locomo/locomo-dev.json");

const sessions = () => grownSessions(data);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const user = { userId: "grown" };
const qs = readLocomo(data).flatMap((c) => c.qa.filter((q) => q.category !== 5).map((q) => q.question));

if (!existsSync(dbPath)) {
  const m = await Mnemo.open({ path: dbPath });
  let left = size;
  const t0 = now();
  for (const s of sessions()) {
    if (left <= 0) break;
    const msgs = s.slice(0, left);
    await m.remember(msgs, user);
    left -= msgs.length;
  }
  console.error(`built ${size} turns in ${((now() - t0) / 1000).toFixed(1)} s`);
  await m.close();
}

// Store calls, timed (sum of ms and count per method).
const calls = new Map<string, { ms: number; n: number; ids: number }>();
const inner = await SqliteStore.open(dbPath);
const store = new Proxy(inner, {
  get(target, prop, recv) {
    const v = Reflect.get(target, prop, recv);
    if (typeof v !== "function" || prop === "constructor") return v;
    return (...a: unknown[]) => {
      const t = now();
      const out = v.apply(target, a);
      const done = () => {
        const c = calls.get(String(prop)) ?? { ms: 0, n: 0, ids: 0 };
        c.ms += now() - t;
        c.n++;
        // Rows (or keys) asked: the array argument of getMemories, getEpisodes, linkedMemories….
        const arr = a.find((x) => Array.isArray(x)) as unknown[] | undefined;
        c.ids += arr?.length ?? 0;
        calls.set(String(prop), c);
      };
      if (out && typeof (out as Promise<unknown>).then === "function") return (out as Promise<unknown>).finally(done);
      done();
      return out;
    };
  },
}) as unknown as Store;
// The NLP libraries load on first use (seconds on a busy machine): a process that has
// ingested has them, so load them before timing, as bench/scale.ts's recalls find them.
compromise()("warm up");
chrono().parse("4 years ago");
tokenizer();
const mnemo = await Mnemo.open({ store });
let t = now();
await mnemo.recall(qs[200]!, user);
const first = now() - t;
t = now();
await mnemo.recall(qs[201]!, user);
const second = now() - t;
calls.clear();
const lat: number[] = [];
// CPU time of the process per recall (user + system): much less sensitive than wall time to
// other processes sharing the cores.
const cpu: number[] = [];
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// --slow N: the N recalls of most CPU, with their store calls (where the tail goes).
const slow = Number(get("--slow") ?? 0);
const perRecall: Array<{ q: string; cpu: number; calls: string }> = [];
for (const q of qs.slice(1, 1 + iters)) {
  const before = new Map([...calls].map(([k, v]) => [k, { ...v }]));
  t = now();
  const c = cpuMs();
  await mnemo.recall(q, { ...user, reinforce: argv.includes("--reinforce") });
  cpu.push(cpuMs() - c);
  lat.push(now() - t);
  if (slow > 0) {
    const diff = [...calls].map(([k, v]) => [k, v.ms - (before.get(k)?.ms ?? 0), v.n - (before.get(k)?.n ?? 0), v.ids - (before.get(k)?.ids ?? 0)] as const).filter(([, , n]) => n > 0).sort((a, b) => b[1] - a[1]);
    perRecall.push({ q, cpu: cpu.at(-1)!, calls: diff.map(([k, ms, n, ids]) => `${k} ${ms.toFixed(1)} ms ×${n}${ids ? ` (${ids} ids)` : ""}`).join(", ") });
  }
}
await mnemo.close();

// FTS5 floor over the same turns, same questions.
const turns: string[] = [];
for (const s of sessions()) {
  if (turns.length >= size) break;
  for (const m of s) if (turns.length < size) turns.push(m.content);
}
const fl = new Database(":memory:");
fl.exec("CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'porter unicode61')");
const ins = fl.prepare("INSERT INTO t (text) VALUES (?)");
fl.transaction(() => turns.forEach((x) => ins.run(x)))();
const q = fl.prepare("SELECT rowid, text FROM t WHERE t MATCH ? ORDER BY rank LIMIT 60");
const floor: number[] = [];
const floorCpu: number[] = [];
for (const text of qs.slice(1, 1 + iters)) {
  const words = [...new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 2))];
  if (words.length === 0) continue;
  const t1 = now();
  const c = cpuMs();
  // Repeated 10 times: one query is below the CPU clock's resolution.
  for (let r = 0; r < 10; r++) q.all(words.map((w) => `"${w}"`).join(" OR "));
  floorCpu.push((cpuMs() - c) / 10);
  floor.push((now() - t1) / 10);
}
const total = lat.reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ size, first: +first.toFixed(1), second: +second.toFixed(1), p50: +pct(lat, 50).toFixed(2), p95: +pct(lat, 95).toFixed(2), floorP50: +pct(floor, 50).toFixed(3), floorP95: +pct(floor, 95).toFixed(3), xFloorP50: +(pct(lat, 50) / pct(floor, 50)).toFixed(0), cpuP50: +pct(cpu, 50).toFixed(2), cpuP95: +pct(cpu, 95).toFixed(2), floorCpuP50: +pct(floorCpu, 50).toFixed(3), floorCpuP95: +pct(floorCpu, 95).toFixed(3), cpuXFloorP50: +(pct(cpu, 50) / pct(floorCpu, 50)).toFixed(0) }));
console.log(`store calls over ${iters} recalls (${total.toFixed(0)} ms total):`);
for (const [k, c] of [...calls.entries()].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${k.padEnd(20)} ${c.ms.toFixed(1).padStart(8)} ms  ${(c.ms / total * 100).toFixed(1).padStart(5)}%  n=${c.n} (${(c.n / iters).toFixed(1)}/recall)${c.ids ? `, ${(c.ids / iters).toFixed(0)} ids/recall` : ""}`);
for (const r of perRecall.sort((a, b) => b.cpu - a.cpu).slice(0, slow)) console.log(`  ${r.cpu.toFixed(1).padStart(6)} ms CPU  ${JSON.stringify(r.q)}\n      ${r.calls}`);
