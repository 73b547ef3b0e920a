/**
 * `npx tsx bench/store-compare.ts`: the same one-user workload on several stores (or
 * builds) **interleaved**, so that a shared, noisy machine slows every arm alike: each
 * LoCoMo session is remembered by every arm in turn, then each question is recalled by
 * every arm in turn (the order rotating). Prints ingest turns/s and recall p50/p95 per arm
 * and as a ratio to the first arm. An arm is `label=root:location`: the Mnemo build under
 * `root` (this checkout: `.`; another commit: `git archive <commit> | tar -x -C dir` with a
 * node_modules link) on `location` (`sqlite` for a temp file, or a postgres:// URL, which
 * gets a fresh schema, dropped at the end).
 *
 * @example
 * ```sh
 * npx tsx bench/store-compare.ts --turns 1000 --arm sqlite=.:sqlite --arm pg=.:postgres://postgres@127.0.0.1:5432/postgres
 * ```
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { readLocomo } from "../src/importers/locomo.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { arm: { type: "string", multiple: true }, turns: { type: "string" }, recalls: { type: "string" }, data: { type: "string" } } });
const turns = Number(values.turns ?? 1000);
const recalls = Number(values.recalls ?? 60);
const data = values.data ?? resolve(ROOT, "../shared/data/locomo/locomo-dev.json");
const armSpecs = values.arm ?? [`sqlite=.:sqlite`];

interface Mn {
  remember(m: unknown[], o: { userId: string }): Promise<unknown>;
  recall(q: string, o: { userId: string }): Promise<unknown>;
  close(): Promise<void>;
}
interface Arm {
  label: string;
  mnemo: Mn;
  rememberMs: number;
  recall: number[];
  cleanup(): Promise<void>;
}

const arms: Arm[] = [];
for (const spec of armSpecs) {
  const m = /^([^=]+)=([^:]+):(.+)$/.exec(spec);
  if (!m) throw new Error(`--arm label=root:location, got ${spec}`);
  const [, label, root, location] = m as unknown as [string, string, string, string];
  const { Mnemo } = (await import(pathToFileURL(resolve(ROOT, root, "src/mnemo.ts")).href)) as { Mnemo: { open(o: { path: string }): Promise<Mn> } };
  let path: string;
  let cleanup: () => Promise<void>;
  if (location === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "mnemo-compare-"));
    path = join(dir, "compare.db");
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = `compare_${label.replace(/\W/g, "_")}_${process.pid}`;
    path = `${location}${location.includes("?") ? "&" : "?"}schema=${schema}`;
    cleanup = async () => {
      const c = new pg.Client({ connectionString: location });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    };
  }
  arms.push({ label, mnemo: await Mnemo.open({ path }), rememberMs: 0, recall: [], cleanup });
}

const convs = readLocomo(data);
const sessions = convs.flatMap((c) => c.sessions.map((s) => s.messages.map((msg) => ({ ...msg, id: `${c.sampleId}:${msg.id}`, sessionId: `${c.sampleId}:${s.sessionId}` }))));
const qs = convs.flatMap((c) => c.qa.filter((q) => q.category !== 5).map((q) => q.question));
const user = { userId: "grown" };
const order = (i: number) => arms.map((_, k) => arms[(k + i) % arms.length]!);
try {
  let left = turns;
  let step = 0;
  for (let copy = 0; left > 0; copy++) {
    for (const s of sessions) {
      if (left <= 0) break;
      const msgs = s.slice(0, left).map((msg) => ({ ...msg, id: `${copy}:${msg.id}`, sessionId: `${copy}:${msg.sessionId}`, occurredAt: new Date(Date.parse(String(msg.occurredAt)) + copy * 400 * 86_400_000).toISOString() }));
      for (const a of order(step++)) {
        const t = performance.now();
        await a.mnemo.remember(msgs, user);
        a.rememberMs += performance.now() - t;
      }
      left -= msgs.length;
    }
  }
  for (const a of arms) await a.mnemo.recall(qs[0]!, user);
  for (const [i, q] of qs.slice(1, 1 + recalls).entries()) {
    for (const a of order(i)) {
      const t = performance.now();
      await a.mnemo.recall(q, user);
      a.recall.push(performance.now() - t);
    }
  }
} finally {
  for (const a of arms) await a.mnemo.close();
  for (const a of arms) await a.cleanup();
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const base = arms[0]!;
const row = (a: Arm) => {
  const ingest = (turns / a.rememberMs) * 1000;
  const [p50, p95] = [pct(a.recall, 50), pct(a.recall, 95)];
  const r = (x: number, y: number) => (x / y).toFixed(2);
  return `| ${a.label} | ${ingest.toFixed(0)} (${r(ingest, (turns / base.rememberMs) * 1000)}×) | ${p50.toFixed(1)} / ${p95.toFixed(1)} (${r(p50, pct(base.recall, 50))}× / ${r(p95, pct(base.recall, 95))}×) |`;
};
console.log(`1 user, ${turns} turns, ${Math.min(recalls, qs.length - 1)} warm recalls, interleaved; ratios vs ${base.label}\n`);
console.log("| arm | ingest turns/s (× first) | recall p50 / p95 ms (× first) |\n|---|---:|---:|");
for (const a of arms) console.log(row(a));
