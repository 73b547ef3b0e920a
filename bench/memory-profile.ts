/**
 * Where a process's memory goes when it serves one large user: builds (once) a user grown
 * from LoCoMo dev text into a SQLite file, then in a fresh child process opens it, runs
 * recalls and a few writes, and prints RSS, V8 heap and external bytes, each Mnemo cache's
 * own estimate, after each phase (with a full GC first when node runs with --expose-gc), and
 * the peak RSS so far (a forced GC lowers RSS, not the peak a server must have room for).
 *
 *   npx tsx bench/memory-profile.ts --size 100000 --file /tmp/grown-100k.db [--recalls 30]
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Mnemo } from "../src/index.js";
import { grownSessions } from "./grown-user.js";
import { readLocomo } from "../src/importers/locomo.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const size = Number(arg("size", "100000"));
const file = arg("file", `/tmp/mnemo-grown-${size}.db`);
const data = arg("data", "../shared/data/locomo/locomo-dev.json");
const recalls = Number(arg("recalls", "30"));
const user = { userId: "grown" };
const mb = (b: number) => (b / 2 ** 20).toFixed(1);

function usage(label: string): void {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  // Peak RSS so far (getrusage): what the process needed at its worst, whenever V8 gave pages back.
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(`${label.padEnd(34)} rss ${mb(m.rss).padStart(7)} MB  peak ${peak.toFixed(1).padStart(7)}  heapUsed ${mb(m.heapUsed).padStart(7)}  heapTotal ${mb(m.heapTotal).padStart(7)}  external ${mb(m.external).padStart(6)}  arrayBuffers ${mb(m.arrayBuffers).padStart(6)}`);
}

if (process.argv.includes("--serve")) {
  usage("start");
  const mnemo = await Mnemo.open({ path: file });
  usage("opened");
  const qs = readLocomo(data).flatMap((c) => c.qa.map((q) => q.question));
  await mnemo.recall(qs[0]!, user);
  usage("after first recall");
  for (const q of qs.slice(1, recalls)) await mnemo.recall(q, user);
  usage(`after ${recalls} recalls`);
  for (let i = 0; i < 5; i++) {
    await mnemo.remember([{ id: `mp:${Date.now()}:${i}`, speaker: "Caroline", content: "I went hiking in the Alps last weekend with my sister.", occurredAt: new Date().toISOString(), sessionId: "mp" }], user);
    await mnemo.recall(qs[recalls + i]!, user);
  }
  usage("after 5 remember + recall");
  const caches = (mnemo as unknown as { ctx?: { caches?: Map<string, unknown> } }).ctx?.caches;
  if (caches) console.log(`context caches: ${[...caches.keys()].map((k) => k.split(":")[0]).join(", ")}`);
  await mnemo.close();
} else {
  if (!existsSync(file)) {
    const mnemo = await Mnemo.open({ path: file });
    let n = 0;
    const t0 = Date.now();
    for (const messages of grownSessions(data)) {
      if (n >= size) break;
      const take = messages.slice(0, size - n);
      await mnemo.remember(take, user);
      n += take.length;
    }
    await mnemo.close();
    console.log(`built ${file}: ${n} turns in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), "--serve", ...process.argv.slice(2)], { stdio: "inherit" });
}
