import type { Command } from "commander";
import { isPostgresUrl } from "../../store/postgres/driver.js";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { MnemoError } from "../../core/errors.js";
import { isLocomoSweep, runLocomoBench } from "../../bench/locomo.js";
import { runLongMemEvalBench } from "../../bench/longmemeval.js";
import { runLocomoQA } from "../../bench/qa.js";
import { runBeamBench } from "../../bench/beam.js";
import { runBeamQA } from "../../bench/beam-qa.js";
import { formatBeamTable, formatLocomoTable, formatLongMemEvalTable, recallVsTokensSvg } from "../../bench/report.js";
import { createLLM } from "../../providers/llm/index.js";
import { createEmbedder } from "../../providers/embeddings/index.js";
import { findLocomo } from "./demo.js";
import { int, list, progress, type GlobalOptions } from "../output.js";

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  process.stderr.write(`wrote ${path}\n`);
}

function budgets(v: string): number[] {
  const bs = (list(v) ?? []).map((b) => int("--budget", b, 1000));
  if (bs.length === 0) throw new MnemoError("INVALID_INPUT", "--budget needs at least one number.");
  return bs;
}

function findBeam(): string | undefined {
  for (const p of ["../shared/data/beam/100K", "../../shared/data/beam/100K"]) if (existsSync(p)) return p;
  return undefined;
}

/**
 * Registers `mnemo bench locomo`, `mnemo bench beam` and `mnemo bench longmemeval`.
 *
 * @example
 * ```ts
 * const program = new Command("mnemo");
 * registerBenchCommands(program, () => program.opts<GlobalOptions>());
 * ```
 */
export function registerBenchCommands(program: Command, g: () => GlobalOptions): void {
  const bench = program.command("bench").description("benchmarks: LoCoMo and BEAM answer coverage (and QA with an LLM judge), LongMemEval retrieval");
  bench
    .command("locomo")
    .description("answer coverage and cited evidence recall at a token budget against same-run baselines (offline); --qa adds answer quality with an LLM judge")
    .option("--data <file>", "LoCoMo JSON (default ../shared/data/locomo/locomo-dev.json)")
    .option("--budget <tokens>", "budget, or a comma-separated sweep (writes a recall-vs-tokens SVG)", "1000")
    .option("--systems <list>", "mnemo,bm25-turns,dense-turns,full-context")
    .option("--conversations <ids>", "only these sample ids")
    .option("--channels <list>", "Mnemo recall channels to use (ablation)")
    .option("--cite-sources", "Mnemo context lines end with their source id, e.g. (D1:3)")
    .option("--out <file>", "write the result JSON here")
    .option("--svg <file>", "write the sweep plot here (default docs/img/recall-vs-tokens.svg for sweeps)")
    .option("--qa", "answer each question from the recalled context and grade it with a judge")
    .option("--llm <provider/model>", "QA: answering model, e.g. openai/gpt-4o-mini or ollama/llama3.1")
    .option("--judge <provider/model>", "QA: judge model (default: --llm)")
    .option("--limit <n>", "QA: at most this many questions")
    .action(async (o: { data?: string; budget: string; systems?: string; conversations?: string; channels?: string; citeSources?: boolean; out?: string; svg?: string; qa?: boolean; llm?: string; judge?: string; limit?: string }) => {
      const opts = g();
      const data = o.data ?? findLocomo();
      if (!data) throw new MnemoError("INVALID_INPUT", "No LoCoMo file found.", { hint: "Pass --data <file>." });
      const bar = progress("questions");
      if (o.qa) {
        if (!o.llm) throw new MnemoError("INVALID_INPUT", "--qa needs --llm <provider/model>.");
        const llm = createLLM(o.llm);
        const judge = o.judge ? createLLM(o.judge) : llm;
        const r = await runLocomoQA({ data, budget: budgets(o.budget)[0]!, llm, judge, conversations: list(o.conversations), limit: o.limit ? int("--limit", o.limit, 1) : undefined, onProgress: (d, t) => bar.update(d, t) });
        bar.stop();
        if (o.out) write(o.out, JSON.stringify(r, null, 2) + "\n");
        const rows = Object.entries(r.byCategory).map(([k, s]) => `${k.padEnd(12)} J ${s.j.toFixed(3)}  F1 ${s.f1.toFixed(3)}  BLEU-1 ${s.bleu1.toFixed(3)}  (${s.questions})`);
        process.stdout.write(opts.json ? JSON.stringify({ ...r, items: undefined }, null, 2) + "\n" : [`overall      J ${r.overall.j.toFixed(3)}  F1 ${r.overall.f1.toFixed(3)}  BLEU-1 ${r.overall.bleu1.toFixed(3)}  (${r.overall.questions})`, ...rows, `tokens in/out: answer ${r.usage.answer.inputTokens}/${r.usage.answer.outputTokens}, judge ${r.usage.judge.inputTokens}/${r.usage.judge.outputTokens}; cost ${r.cost ?? "n/a"}; errors ${r.errors}`].join("\n") + "\n");
        return;
      }
      const bs = budgets(o.budget);
      // Mnemo's embedder is the global --embedder (word vectors by default).
      const embedder = opts.embedder ? await createEmbedder(opts.embedder) : undefined;
      const r = await runLocomoBench({ data, budgets: bs, systems: list(o.systems), conversations: list(o.conversations), channels: list(o.channels), citeSources: o.citeSources === true, embedder, pgUrl: opts.db && isPostgresUrl(opts.db) ? opts.db : undefined, onProgress: (d, t) => bar.update(d, t) });
      bar.stop();
      process.stdout.write((opts.json && !o.out ? JSON.stringify(r, null, 2) : formatLocomoTable(r)) + "\n");
      if (o.out) write(o.out, JSON.stringify(r, null, 2) + "\n");
      if (isLocomoSweep(r)) write(o.svg ?? "docs/img/recall-vs-tokens.svg", recallVsTokensSvg(r));
    });
  bench
    .command("beam")
    .description("BEAM chats: answer coverage per question type at a token budget, with bm25-turns and full-context in the same run (offline); --qa adds an LLM reader and judge")
    .option("--data <dir>", "BEAM directory of chat folders (default ../shared/data/beam/100K)")
    .option("--chats <list>", "only these chat folders, e.g. 1,2")
    .option("--budget <tokens>", "token budget of each recall", "1000")
    .option("--systems <list>", "mnemo,bm25-turns,full-context (also dense-turns)")
    .option("--out <file>", "write the result JSON here")
    .option("--qa", "answer each question from Mnemo's context and grade it with a judge")
    .option("--llm <provider/model>", "QA: answering model, e.g. openai/gpt-4o-mini or anthropic/claude-3-5-haiku-latest")
    .option("--judge <provider/model>", "QA: judge model (default: --llm)")
    .option("--limit <n>", "QA: at most this many questions")
    .action(async (o: { data?: string; chats?: string; budget: string; systems?: string; out?: string; qa?: boolean; llm?: string; judge?: string; limit?: string }) => {
      const opts = g();
      const data = o.data ?? findBeam();
      if (!data) throw new MnemoError("INVALID_INPUT", "No BEAM directory found.", { hint: "Pass --data <dir> (e.g. ../shared/data/beam/100K)." });
      const budget = int("--budget", o.budget, 1000);
      const bar = progress("questions");
      if (o.qa) {
        if (!o.llm) throw new MnemoError("INVALID_INPUT", "--qa needs --llm <provider/model>.");
        const llm = createLLM(o.llm);
        const judge = o.judge ? createLLM(o.judge) : llm;
        const r = await runBeamQA({ data, budget, llm, judge, chats: list(o.chats), limit: o.limit ? int("--limit", o.limit, 1) : undefined, onProgress: (d, t) => bar.update(d, t) });
        bar.stop();
        if (o.out) write(o.out, JSON.stringify(r, null, 2) + "\n");
        const rows = Object.entries(r.byType).map(([k, s]) => `${k.padEnd(26)} J ${s.j.toFixed(3)}  (${s.questions})`);
        process.stdout.write(opts.json ? JSON.stringify({ ...r, items: undefined }, null, 2) + "\n" : [`${"overall".padEnd(26)} J ${r.overall.j.toFixed(3)}  (${r.overall.questions})`, ...rows, `tokens in/out: answer ${r.usage.answer.inputTokens}/${r.usage.answer.outputTokens}, judge ${r.usage.judge.inputTokens}/${r.usage.judge.outputTokens}; errors ${r.errors}`].join("\n") + "\n");
        return;
      }
      const embedder = opts.embedder ? await createEmbedder(opts.embedder) : undefined;
      const r = await runBeamBench({ data, budget, systems: list(o.systems), chats: list(o.chats), embedder, onProgress: (d, t) => bar.update(d, t) });
      bar.stop();
      process.stdout.write((opts.json && !o.out ? JSON.stringify(r, null, 2) : formatBeamTable(r)) + "\n");
      if (o.out) write(o.out, JSON.stringify(r, null, 2) + "\n");
    });
  bench
    .command("longmemeval")
    .description("session- and turn-level recall@k and NDCG@k on LongMemEval-format data")
    .requiredOption("--data <file>", "LongMemEval JSON")
    .option("--k <list>", "cut-offs", "5,10")
    .option("--systems <list>", "mnemo,bm25-turns,dense-turns")
    .option("--budget <tokens>", "token budget of each retrieval", "2000")
    .option("--limit <n>", "at most this many questions")
    .option("--out <file>", "write the result JSON here")
    .action(async (o: { data: string; k: string; systems?: string; budget: string; limit?: string; out?: string }) => {
      const opts = g();
      const bar = progress("questions");
      const r = await runLongMemEvalBench({
        data: o.data,
        k: (list(o.k) ?? []).map((k) => int("--k", k, 5)),
        systems: list(o.systems),
        budgetTokens: int("--budget", o.budget, 2000),
        limit: o.limit ? int("--limit", o.limit, 1) : undefined,
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.stop();
      process.stdout.write((opts.json && !o.out ? JSON.stringify(r, null, 2) : formatLongMemEvalTable(r)) + "\n");
      if (o.out) write(o.out, JSON.stringify(r, null, 2) + "\n");
    });
}
