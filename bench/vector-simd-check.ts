/**
 * The SIMD vector scan against the JavaScript scan on a prebuilt user (issue 9, recall at
 * 100K turns): opens two copies of the same file, one store scanning large tables in
 * WebAssembly SIMD (the default from 2,048 vectors) and one in JavaScript only, recalls the
 * same LoCoMo questions with each (no reinforcement, so neither writes) and counts identical
 * contexts and identical top-83 vector hit lists (memory and episode tables).
 *
 * @example
 * ```sh
 * cp /tmp/grown-100k.db /tmp/a.db && cp /tmp/grown-100k.db /tmp/b.db
 * npx tsx bench/vector-simd-check.ts /tmp/a.db /tmp/b.db 200   # user "grown", as bench/memory-profile.ts builds it
 * ```
 */
import { Mnemo } from "../src/mnemo.js";
import { SqliteStore } from "../src/store/sqlite/index.js";
import { VectorCache } from "../src/store/vector-cache.js";
import { readLocomo } from "../src/importers/locomo.js";

const [simdFile, jsFile, n = "40", data = "../shared/data/locomo/locomo-dev.json"] = process.argv.slice(2);
if (!simdFile || !jsFile) throw new Error("usage: vector-simd-check.ts SIMD_COPY.db JS_COPY.db [QUESTIONS] [LOCOMO.json]");
const qs = readLocomo(data)
  .flatMap((c) => c.qa.filter((q) => q.category !== 5).map((q) => q.question))
  .slice(1, 1 + Number(n));
const key = { tenant: "default", userId: "grown" };

async function run(path: string, simdMin?: number): Promise<{ contexts: string[]; hits: string[] }> {
  const store = await SqliteStore.open(path);
  if (simdMin !== undefined) (store as unknown as { vectorCache: VectorCache }).vectorCache = new VectorCache({ simdMin });
  const m = await Mnemo.open({ store });
  const contexts: string[] = [];
  const hits: string[] = [];
  for (const q of qs) {
    contexts.push((await m.recall(q, { userId: key.userId, reinforce: false })).context);
    const [v] = await m.embedder.embed([q]);
    for (const t of ["memory", "episode"] as const) hits.push(JSON.stringify((await store.searchVectors(key, t, v!, 83)).map((h) => h.id)));
  }
  await m.close();
  return { contexts, hits };
}

const a = await run(simdFile);
const b = await run(jsFile, Infinity);
const same = (x: string[], y: string[]) => x.filter((s, i) => s === y[i]).length;
console.log(`contexts identical: ${same(a.contexts, b.contexts)} / ${qs.length}; vector top-83 lists identical: ${same(a.hits, b.hits)} / ${a.hits.length}`);
