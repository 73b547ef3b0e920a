/**
 * `npm run bench:beam`: the BEAM benchmark through the CLI (same flags as `mnemo bench beam`).
 *
 * @example
 * ```sh
 * npx tsx bench/beam.ts --data ../shared/data/beam/100K --budget 1000 --out bench/results/beam-100k.json
 * ```
 */
import { run } from "../src/cli/main.js";

const args = process.argv.slice(2);
if (!args.includes("--out") && !args.includes("--qa")) args.push("--out", "bench/results/beam-100k.json");
process.exitCode = await run(["node", "mnemo", "bench", "beam", ...args]);
