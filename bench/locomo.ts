/**
 * `npm run bench`: the LoCoMo benchmark through the CLI (same flags as `mnemo bench locomo`).
 *
 * @example
 * ```sh
 * npx tsx bench/locomo.ts --budget 250,500,1000,2000 --out bench/results/locomo-dev-sweep.json
 * ```
 */
import { run } from "../src/cli/main.js";

const args = process.argv.slice(2);
if (!args.includes("--out")) args.push("--out", args.some((a) => a.includes(",")) ? "bench/results/locomo-dev-sweep.json" : "bench/results/locomo-dev.json");
process.exitCode = await run(["node", "mnemo", "bench", "locomo", ...args]);
