/**
 * Draws the seeded random sample of stored memories for the hand-labelled filler fixture
 * (test/fixtures/filler-sample.json): ingests locomo-dev with the offline extractor into a
 * temporary database, lists every non-summary memory, and prints a seeded sample of their
 * texts as JSON lines ({"text": ...}) for a person to label informative / filler / garbled.
 *
 * @example
 * ```sh
 * npx tsx scripts/filler-sample.ts --n 200 --seed 8 > /tmp/sample.jsonl
 * ```
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulberry32 } from "../src/core/random.js";
import { Mnemo, readLocomo, rememberConversation } from "../src/index.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const n = Number(arg("n", "200"));
const seed = Number(arg("seed", "8"));
const data = arg("data", "../shared/data/locomo/locomo-dev.json");
const skip = new Set(arg("skip", "").split("\n").filter(Boolean));

const dir = mkdtempSync(join(tmpdir(), "mnemo-filler-"));
try {
  const mnemo = await Mnemo.open({ path: join(dir, "m.db") });
  const texts: string[] = [];
  for (const conv of readLocomo(data)) {
    await rememberConversation(mnemo, conv);
    let cursor: string | undefined;
    do {
      const page = await mnemo.memories({ userId: conv.sampleId, limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const m of page.items) if (m.kind !== "summary") texts.push(m.text);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  await mnemo.close();
  const pool = [...new Set(texts)].filter((t) => !skip.has(t)).sort();
  const rand = mulberry32(seed);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  process.stderr.write(`${texts.length} memories, ${pool.length} distinct texts; sample of ${Math.min(n, pool.length)} (seed ${seed})\n`);
  for (const text of pool.slice(0, n)) process.stdout.write(JSON.stringify({ text }) + "\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
