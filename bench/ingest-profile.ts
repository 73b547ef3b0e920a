/**
 * Where ingest's time goes as one user grows (issue 9: ingest cost must not grow with the
 * user): grows (or resumes) one user from LoCoMo dev text like bench/scale.ts, printing
 * turns/s and process CPU ms per turn for every chunk, then times the store calls of the
 * last chunk (and, with --cpu-prof FILE, writes a CPU profile of that chunk alone), and
 * `remember` of one message at the final size.
 *
 * @example
 * ```sh
 * npx tsx bench/ingest-profile.ts --size 30000 --db /tmp/prof/30k.db             # SQLite (resumes if the file exists)
 * npx tsx bench/ingest-profile.ts --size 30000 --db postgres://…/postgres?schema=p30k
 * npx tsx bench/ingest-profile.ts --size 30000 --db /tmp/prof/30k.db --chunk 2000 --cpu-prof /tmp/last.cpuprofile
 * ```
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Mnemo } from "../src/mnemo.js";
import { grownSessions } from "./grown-user.js";
import { openStore } from "../src/store/open.js";
import type { Store } from "../src/store/types.js";
import type { MessageInput } from "../src/core/types.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const get = (k: string) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : undefined;
};
const size = Number(get("--size") ?? 10_000);
const chunk = Number(get("--chunk") ?? 5_000);
const dbPath = get("--db") ?? `/tmp/mnemo-ingest-${size}.db`;
const prof = get("--cpu-prof") ?? null;
const data = get("--data") ?? resolve(ROOT, "../shared/data/locomo/locomo-dev.json");
const user = { userId: "grown" };
const now = () => Number(process.hrtime.bigint()) / 1e6;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

// Store calls, timed (sum of ms and count per method), only while `timing`.
let timing = false;
const calls = new Map<string, { ms: number; n: number }>();
const inner = await openStore(dbPath);
function wrap(target: Store): Store {
  return new Proxy(target, {
    get(t, prop, recv) {
      const v = Reflect.get(t, prop, recv);
      if (typeof v !== "function" || prop === "constructor") return v;
      return (...a: unknown[]) => {
        if (prop === "writeScope") {
          const fn = a[1] as (s: Store) => Promise<unknown>;
          return v.call(t, a[0], (s: Store) => fn(wrap(s)));
        }
        const t0 = now();
        const out = v.apply(t, a);
        const done = () => {
          if (!timing) return;
          const c = calls.get(String(prop)) ?? { ms: 0, n: 0 };
          c.ms += now() - t0;
          c.n++;
          calls.set(String(prop), c);
        };
        if (out && typeof (out as Promise<unknown>).then === "function") return (out as Promise<unknown>).finally(done);
        done();
        return out;
      };
    },
  }) as Store;
}
const mnemo = await Mnemo.open({ store: wrap(inner) });
let have = await inner.maxSeq({ tenant: "default", userId: "grown" });
console.error(`store has ${have} turns; growing to ${size}`);

// The stream's first `size` turns by session, skipping what is stored.
const batches: MessageInput[][] = [];
let seen = 0;
for (const s of grownSessions(data)) {
  if (seen >= size) break;
  const msgs = s.slice(0, size - seen);
  if (seen >= have) batches.push(msgs);
  seen += msgs.length;
}
const session = prof ? new Session() : null;
let turns = have;
let c0 = cpuMs();
let t0 = now();
let from = have;
const lastChunkStart = Math.max(have, size - chunk);
for (const b of batches) {
  if (!timing && turns >= lastChunkStart) {
    timing = true;
    if (session) {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    }
  }
  await mnemo.remember(b, user);
  turns += b.length;
  if (Math.floor(turns / chunk) !== Math.floor((turns - b.length) / chunk) || turns >= size) {
    const dt = now() - t0;
    const dc = cpuMs() - c0;
    console.error(`${from}–${turns}: ${(((turns - from) / dt) * 1000).toFixed(0)} turns/s, CPU ${(dc / (turns - from)).toFixed(2)} ms/turn (wall ${(dt / (turns - from)).toFixed(2)} ms/turn)`);
    from = turns;
    t0 = now();
    c0 = cpuMs();
  }
}
if (session) {
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(prof!, JSON.stringify(profile));
  session.disconnect();
}
const total = [...calls.values()].reduce((a, c) => a + c.ms, 0);
if (calls.size) {
  console.log(`store calls over the last chunk (${total.toFixed(0)} ms in store calls):`);
  for (const [k, c] of [...calls.entries()].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${k.padEnd(20)} ${c.ms.toFixed(1).padStart(9)} ms  n=${c.n}  ${(c.ms / c.n).toFixed(2)} ms/call`);
}
// remember of one message at this size (10 calls).
calls.clear();
const one: number[] = [];
const oneCpu: number[] = [];
for (let i = 0; i < 10; i++) {
  const t = now();
  const c = cpuMs();
  await mnemo.remember([{ content: `By the way, I picked up a new hobby number ${i}: pottery on Tuesdays with my friend Sam.`, speaker: "grown", id: `probe:${Date.now()}:${i}`, sessionId: "probe" }], user);
  oneCpu.push(cpuMs() - c);
  one.push(now() - t);
}
console.log(JSON.stringify({ size: turns, rememberOneP50: +pct(one, 50).toFixed(1), rememberOneP95: +pct(one, 95).toFixed(1), rememberOneCpuP50: +pct(oneCpu, 50).toFixed(1) }));
console.log("store calls per remember of one message:");
for (const [k, c] of [...calls.entries()].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${k.padEnd(20)} ${(c.ms / 10).toFixed(2).padStart(8)} ms  ${(c.n / 10).toFixed(1)} calls`);
await mnemo.close();
