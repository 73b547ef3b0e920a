/**
 * Draws the seeded random sample of stored memories for the hand-labelled filler fixture
 * (test/fixtures/filler-sample.json): ingests locomo-dev with the offline extractor into a
 * temporary database, lists every non-summary memory, and prints a seeded sample of their
 * texts as JSON lines ({"text", "id"}: id = first 16 hex digits of its SHA-256) for a person to label informative / filler / garbled.
 *
 * @example
 * ```sh
 * npx tsx scripts/filler-sample.ts --n 200 --seed 8 > /tmp/sample.jsonl
 * npx tsx scripts/filler-sample.ts --n 400 --seed 17 --rules-only > /tmp/train.jsonl   # what the rules keep, before the learned filter
 * npx tsx scripts/filler-sample.ts --n 200 --seed 19 --skip test/fixtures/filler-holdout.json,test/fixtures/filler-train.json   # texts not labelled before
 * ```
 */
import { readFileSync } from "node:fs";
import { storedMemoryTexts, textId } from "../src/bench/memory-texts.js";
import { mulberry32 } from "../src/core/random.js";
import { OfflineExtractor } from "../src/ingest/extract/offline.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const n = Number(arg("n", "200"));
const seed = Number(arg("seed", "8"));
const data = arg("data", "../shared/data/locomo/locomo-dev.json");
/** Labelled fixtures whose texts are left out of the pool (items keyed by `id` or by `text`). */
const skip = new Set(
  arg("skip", "")
    .split(",")
    .filter(Boolean)
    .flatMap((f) => (JSON.parse(readFileSync(f, "utf8")) as { items: Array<{ id?: string; text?: string }> }).items.map((x) => x.id ?? textId(x.text!))),
);
const rulesOnly = process.argv.includes("--rules-only");

const texts = await storedMemoryTexts(data, rulesOnly ? new OfflineExtractor({ fillerModel: false }) : undefined);
const pool = [...new Set(texts)].filter((t) => !skip.has(textId(t))).sort();
const rand = mulberry32(seed);
for (let i = pool.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [pool[i], pool[j]] = [pool[j]!, pool[i]!];
}
process.stderr.write(`${texts.length} memories, ${pool.length} distinct texts; sample of ${Math.min(n, pool.length)} (seed ${seed})\n`);
for (const text of pool.slice(0, n)) process.stdout.write(JSON.stringify({ text, id: textId(text) }) + "\n");
