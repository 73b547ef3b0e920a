import type { Command } from "commander";
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { MnemoError } from "../../core/errors.js";
import { evidenceRecall, splitEvidence } from "../../bench/evidence.js";
import { readLocomo, rememberConversation } from "../../importers/locomo.js";
import { Mnemo } from "../../mnemo.js";
import { progress, type GlobalOptions } from "../output.js";

const CATEGORY = ["", "multi-hop", "temporal", "open-domain", "single-hop", "adversarial"];

/**
 * Finds the shared LoCoMo file beside the checkout (../shared/...) or in the working directory.
 *
 * @example
 * ```ts
 * const data = findLocomo() ?? "locomo-dev.json"; // absolute path when the shared file exists
 * ```
 */
export function findLocomo(): string | null {
  for (const p of ["../shared/data/locomo/locomo-dev.json", "shared/data/locomo/locomo-dev.json", "../../shared/data/locomo/locomo-dev.json"]) if (existsSync(p)) return resolve(p);
  return null;
}

/**
 * Registers `mnemo demo`: the quick start's main job.
 *
 * @example
 * ```ts
 * const program = new Command("mnemo");
 * registerDemoCommand(program, () => program.opts<GlobalOptions>());
 * ```
 */
export function registerDemoCommand(program: Command, g: () => GlobalOptions): void {
  program
    .command("demo")
    .description("import one LoCoMo conversation into a fresh database and answer a few of its questions, offline")
    .option("--data <file>", "LoCoMo JSON (default: ../shared/data/locomo/locomo-dev.json)")
    .option("--conversation <id>", "which conversation", "conv-26")
    .option("--questions <n>", "how many questions", "4")
    .option("--budget <tokens>", "token budget per answer", "300")
    .action(async (o: { data?: string; conversation: string; questions: string; budget: string }) => {
      const opts = g();
      const data = o.data ?? findLocomo();
      if (!data) throw new MnemoError("INVALID_INPUT", "No LoCoMo file found.", { hint: "Pass --data <path to locomo JSON>." });
      const db = opts.db ?? "mnemo-demo.db";
      for (const suffix of ["", "-wal", "-shm"]) rmSync(db + suffix, { force: true });
      const [conv] = readLocomo(data, [o.conversation]);
      const mnemo = await Mnemo.open({ path: db, tenant: opts.tenant });
      try {
        const total = conv!.sessions.reduce((n, s) => n + s.messages.length, 0);
        const bar = progress("importing");
        const t0 = performance.now();
        await rememberConversation(mnemo, conv!);
        bar.update(total, total);
        bar.stop();
        const secs = (performance.now() - t0) / 1000;
        const stats = await mnemo.stats({ tenant: opts.tenant, userId: conv!.sampleId });
        console.log(`Imported ${conv!.sampleId}: ${total} turns in ${secs.toFixed(2)}s (${Math.round(total / secs)} turns/s) → ${stats.memories} memories, ${stats.entities} entities, into ${db}\n`);
        // One question of each answerable category, then more in file order.
        const picks = [1, 2, 3, 4].map((c) => conv!.qa.find((q) => q.category === c)).filter((q) => q !== undefined);
        const n = Math.max(1, Number(o.questions) || 4);
        for (const q of picks.slice(0, n)) {
          const r = await mnemo.recall(q.question, { userId: conv!.sampleId, budgetTokens: Number(o.budget) || 300, reinforce: false });
          const rec = evidenceRecall(splitEvidence(q.evidence), r.results.map((x) => x.sources));
          console.log(`Q (${CATEGORY[q.category]}): ${q.question}`);
          console.log(`gold answer: ${String(q.answer)}   evidence: ${q.evidence.join(", ")}   covered: ${rec === null ? "-" : Math.round(rec * 100) + "%"}`);
          console.log(r.context.split("\n").slice(0, 8).map((l) => "  " + l).join("\n"));
          console.log(`  … ${r.results.length} results, ${r.contextTokens} tokens\n`);
        }
        console.log(`Try: npx mnemo recall "What did Caroline research?" --user ${conv!.sampleId} --db ${db}`);
      } finally {
        await mnemo.close();
      }
    });
}
