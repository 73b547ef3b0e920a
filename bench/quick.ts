import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Mnemo } from "../src/mnemo.js";
import { readLocomo, rememberConversation } from "../src/importers/locomo.js";
import { evidenceRecall, splitEvidence } from "../src/bench/evidence.js";

const budget = Number(process.env.BUDGET ?? 1000);
const channels = process.env.CHANNELS?.split(",");
const dir = mkdtempSync(join(tmpdir(), "mnemo-q-"));
const convs = readLocomo("../shared/data/locomo/locomo-dev.json", process.env.CONVS?.split(","));
const { WordVectorEmbedder } = await import("../src/providers/embeddings/word-vectors.js");
const embedder = process.env.EMBEDDER === "wv" ? await WordVectorEmbedder.load({ packagePath: "/tmp/wemb/package", vocabulary: Number(process.env.VOCAB ?? 60000) }) : undefined;
const mnemo = await Mnemo.open({ path: join(dir, "m.db"), embedder });
let turns = 0;
const t0 = performance.now();
for (const c of convs) { await rememberConversation(mnemo, c); turns += c.sessions.reduce((k, s) => k + s.messages.length, 0); }
const secs = (performance.now() - t0) / 1000;
console.log(`ingest ${turns} turns in ${secs.toFixed(2)}s = ${(turns / secs).toFixed(0)} turns/s`, await mnemo.stats());
const byCat = new Map<number, number[]>();
const lat: number[] = []; let toks = 0; let n = 0;
const miss: string[] = [];
for (const c of convs) for (const q of c.qa) {
  const gold = splitEvidence(q.evidence);
  const t = performance.now();
  const r = await mnemo.recall(q.question, { userId: c.sampleId, budgetTokens: budget, reinforce: false, channels });
  lat.push(performance.now() - t);
  const rec = evidenceRecall(gold, r.results.map((x) => x.sources));
  if (rec === null) continue;
  toks += r.contextTokens; n++;
  byCat.set(q.category, [...(byCat.get(q.category) ?? []), rec]);
  if (rec < 1 && process.env.SHOWMISS && q.category === Number(process.env.SHOWMISS)) miss.push(`${q.question} gold=${gold}`);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const overall = [1, 2, 3, 4].flatMap((k) => byCat.get(k) ?? []);
lat.sort((a, b) => a - b);
console.log(`overall(1-4) ${mean(overall).toFixed(3)}  ` + [1, 2, 3, 4, 5].map((k) => `c${k}=${mean(byCat.get(k) ?? []).toFixed(3)}(${byCat.get(k)?.length})`).join(" ") + ` tokens=${(toks / n).toFixed(0)} p50=${lat[Math.floor(lat.length * 0.5)]!.toFixed(1)}ms p95=${lat[Math.floor(lat.length * 0.95)]!.toFixed(1)}ms`);
if (miss.length) console.log(miss.slice(0, 30).join("\n"));
await mnemo.close();
rmSync(dir, { recursive: true, force: true });
