/**
 * Human-readable reports of LoCoMo benchmark results: a Markdown table and a
 * dependency-free SVG plot of answer coverage against context tokens.
 */
import { budgetResults, CATEGORY_ORDER, type CategorySummary, type LocomoBenchResult, type LocomoBudgetResult, type LocomoSweepResult } from "./locomo.js";
import type { LevelMetrics, LongMemEvalResult } from "./longmemeval.js";
import { FOLLOWING_TYPES, type BeamBenchResult } from "./beam.js";

type Cell = string;

function markdownTable(header: Cell[], rows: Cell[][], left = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: Cell[]): string => `| ${cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  const sep = `|${widths.map((w, i) => (i < left ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), sep, ...rows.map(line)].join("\n");
}

const fmtRecall = (x: number | undefined): string => (x === undefined ? "—" : x.toFixed(3));
const fmtInt = (x: number | undefined): string => (x === undefined ? "—" : Math.round(x).toLocaleString("en-US"));
const fmtMs = (x: number | undefined): string => (x === undefined ? "—" : x.toFixed(1));

function budgetTable(r: LocomoBudgetResult): string {
  const systems = Object.keys(r.systems);
  const sys = systems.map((s) => r.systems[s]!);
  const first = sys[0];
  const rows: Cell[][] = [];
  for (const [metric, pick] of [
    ["answer coverage", (x: CategorySummary) => (x.coverageQuestions === 0 ? undefined : x.answerCoverage)],
    ["cited evidence recall", (x: CategorySummary) => x.citedEvidenceRecall],
  ] as const) {
    rows.push([`**${metric}** overall (1–4, n=${r.questions})`, ...sys.map((s) => fmtRecall(pick(s.overall)))]);
    for (const c of CATEGORY_ORDER) {
      const n = first?.byCategory[c].questions ?? 0;
      const label = c === "adversarial" ? `${metric}: adversarial (5, n=${n}, not in overall)` : `${metric}: ${c} (n=${n})`;
      rows.push([label, ...sys.map((s) => fmtRecall(pick(s.byCategory[c])))]);
    }
  }
  rows.push(["mean context tokens", ...sys.map((s) => fmtInt(s.overall.meanContextTokens))]);
  rows.push(["p50 ms", ...sys.map((s) => fmtMs(s.overall.p50Ms))]);
  rows.push(["p95 ms", ...sys.map((s) => fmtMs(s.overall.p95Ms))]);
  rows.push(["ingest turns/s", ...sys.map((s) => fmtInt(s.ingest?.turnsPerSecond))]);
  if (sys.some((s) => s.ingest?.warmUpSeconds !== undefined)) rows.push(["ingest warm-up s (once per process, not in the rate)", ...sys.map((s) => (s.ingest?.warmUpSeconds !== undefined ? s.ingest.warmUpSeconds.toFixed(2) : "—"))]);
  if (r.systems["mnemo"]?.storeBytes !== undefined) {
    rows.push(["store MiB", ...systems.map((s) => (s === "mnemo" ? (r.systems[s]!.storeBytes! / 2 ** 20).toFixed(2) : "—"))]);
  }
  const delta = r.systems["mnemo"]?.deltaVsBm25;
  const cdelta = r.systems["mnemo"]?.coverageDeltaVsBm25;
  const title = `LoCoMo answer coverage and cited evidence recall @ ${r.budgetTokens} tokens — ${r.conversations.join(", ")}${r.channels ? ` — channels ${r.channels.join(",")}` : ""}`;
  const sign = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(3)}`;
  const notes = [
    cdelta !== undefined && cdelta !== null ? `mnemo vs bm25-turns: ${sign(cdelta)} overall answer coverage` : null,
    delta !== undefined && delta !== null ? `mnemo vs bm25-turns: ${sign(delta)} overall cited evidence recall` : null,
    r.evidenceNotInConversation > 0 ? `${r.evidenceNotInConversation} gold evidence id(s) are no turn of their conversation (data typos; full-context counts 1 by construction)` : null,
  ].filter((x): x is string => x !== null);
  return [title, "", markdownTable(["metric", ...systems], rows), ...(notes.length ? ["", ...notes] : [])].join("\n");
}

/**
 * A Markdown table of a LoCoMo result: answer coverage and cited evidence recall per
 * category and overall (one column per system), then mean context tokens, p50/p95 latency,
 * ingestion turns/s and store size. A sweep gives one table per budget and a summary table
 * (answer coverage / cited evidence recall / mean tokens per budget).
 *
 * @example
 * ```ts
 * console.log(formatLocomoTable(await runLocomoBench({ data: "locomo-dev.json", budgets: [1000] })));
 * ```
 */
export function formatLocomoTable(result: LocomoBenchResult): string {
  const runs = budgetResults(result);
  const tables = runs.map(budgetTable);
  if (runs.length < 2) return tables.join("\n");
  const systems = Object.keys(runs[0]!.systems);
  const rows = runs.map((r) => [
    String(r.budgetTokens),
    ...systems.map((s) => {
      const o = r.systems[s]?.overall;
      return o ? `${fmtRecall(o.answerCoverage)} / ${o.citedEvidenceRecall.toFixed(3)} / ${fmtInt(o.meanContextTokens)}` : "—";
    }),
  ]);
  const summary = ["Overall answer coverage / cited evidence recall / mean context tokens by budget", "", markdownTable(["budget", ...systems], rows)].join("\n");
  return [summary, ...tables].join("\n\n");
}

/**
 * A Markdown table of a LongMemEval result: session- and turn-level recall_any@k,
 * recall_all@k and NDCG@k, overall and per question type, one column per system.
 *
 * @example
 * ```ts
 * console.log(formatLongMemEvalTable(await runLongMemEvalBench({ data: "longmemeval_s.json" })));
 * ```
 */
export function formatLongMemEvalTable(result: LongMemEvalResult): string {
  const systems = Object.keys(result.systems);
  const metricNames = result.k.flatMap((k) => [`recall_any@${k}`, `recall_all@${k}`, `ndcg@${k}`]);
  const types = [...new Set(systems.flatMap((s) => Object.keys(result.systems[s]!.byType)))].sort();
  const groups: Array<[string, (s: string) => LevelMetrics | undefined]> = [
    ["overall", (s) => result.systems[s]?.overall],
    ...types.map((t): [string, (s: string) => LevelMetrics | undefined] => [t, (s) => result.systems[s]?.byType[t]]),
  ];
  const tables = (["session", "turn"] as const).map((level) => {
    const rows: Cell[][] = [];
    for (const [name, get] of groups) {
      const n = get(systems[0]!)?.[level].questions ?? 0;
      for (const s of systems) rows.push([`${name} (n=${n})`, s, ...metricNames.map((m) => fmtRecall(get(s)?.[level].metrics[m]))]);
    }
    return [`${level} level`, "", markdownTable(["questions", "system", ...metricNames], rows, 2)].join("\n");
  });
  const latency = systems.map((s) => `${s} p50 ${fmtMs(result.systems[s]?.p50Ms)} ms, p95 ${fmtMs(result.systems[s]?.p95Ms)} ms`).join("; ");
  const title = `LongMemEval retrieval @ ${result.budgetTokens} tokens — ${result.questions} questions`;
  return [title, "", ...tables.flatMap((t) => [t, ""]), `latency: ${latency}`].join("\n");
}

// ---- SVG ---------------------------------------------------------------------------

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function niceLogTicks(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min && v <= max) out.push(v);
    }
  }
  return out;
}

/** The nearest 1, 2 or 5 × 10^e below (down) or above (up) x. */
function niceBound(x: number, dir: "up" | "down"): number {
  const e = Math.floor(Math.log10(Math.max(1, x)));
  const steps = [1, 2, 5, 10].map((m) => m * 10 ** e);
  return dir === "up" ? steps.find((v) => v >= x)! : [...steps].reverse().find((v) => v <= x) ?? 10 ** e;
}

function tickLabel(v: number): string {
  return v >= 1000 ? `${v / 1000}k` : String(v);
}

/**
 * An SVG line plot (no dependency) of overall answer coverage (y, 0–1) against mean context tokens
 * (x, log scale) for each system of a sweep: one polyline with point markers per system,
 * `full-context` as a single diamond. Axes, ticks, grid, legend and title included.
 *
 * @example
 * ```ts
 * const sweep = await runLocomoBench({ data: "locomo-dev.json", budgets: [250, 500, 1000, 2000] });
 * if (isLocomoSweep(sweep)) writeFileSync("docs/img/recall-vs-tokens.svg", recallVsTokensSvg(sweep));
 * ```
 */
export function recallVsTokensSvg(sweep: LocomoSweepResult | LocomoBudgetResult[], title = "LoCoMo answer coverage vs context tokens"): string {
  const runs = Array.isArray(sweep) ? sweep : sweep.sweep;
  const systems = [...new Set(runs.flatMap((r) => Object.keys(r.systems)))];
  const series = systems.map((s) => {
    const pts = runs
      .map((r) => r.systems[s]?.overall)
      .filter((o): o is NonNullable<typeof o> => o !== undefined)
      .map((o) => ({ x: Math.max(1, o.meanContextTokens), y: o.answerCoverage }));
    const uniq = s === "full-context" ? pts.slice(0, 1) : pts.sort((a, b) => a.x - b.x);
    return { name: s, points: uniq };
  });
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const xMin = niceBound(Math.min(...xs) / 1.25, "down");
  const xMax = niceBound(Math.max(...xs, 1000) * 1.25, "up");
  const W = 760;
  const H = 460;
  const m = { left: 70, right: 190, top: 50, bottom: 60 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const sx = (x: number): number => m.left + ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * pw;
  const sy = (y: number): number => m.top + (1 - y) * ph;
  const f = (n: number): string => n.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${f(m.left + pw / 2)}" y="28" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`);
  // grid and ticks
  for (let i = 0; i <= 5; i++) {
    const y = i / 5;
    out.push(`<line x1="${m.left}" y1="${f(sy(y))}" x2="${m.left + pw}" y2="${f(sy(y))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 8}" y="${f(sy(y) + 4)}" text-anchor="end">${y.toFixed(1)}</text>`);
  }
  for (const t of niceLogTicks(xMin, xMax)) {
    out.push(`<line x1="${f(sx(t))}" y1="${m.top}" x2="${f(sx(t))}" y2="${m.top + ph}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${f(sx(t))}" y="${m.top + ph + 18}" text-anchor="middle">${tickLabel(t)}</text>`);
  }
  // axes
  out.push(`<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${f(m.left + pw / 2)}" y="${H - 18}" text-anchor="middle">mean context tokens (log scale)</text>`);
  out.push(`<text x="18" y="${f(m.top + ph / 2)}" text-anchor="middle" transform="rotate(-90 18 ${f(m.top + ph / 2)})">answer coverage (categories 1–4)</text>`);
  // series
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    out.push(`<g data-system="${esc(s.name)}">`);
    if (s.name === "full-context") {
      for (const p of s.points) {
        const [x, y] = [sx(p.x), sy(p.y)];
        out.push(`<path d="M ${f(x)} ${f(y - 7)} L ${f(x + 7)} ${f(y)} L ${f(x)} ${f(y + 7)} L ${f(x - 7)} ${f(y)} Z" fill="${color}"/>`);
        out.push(`<text x="${f(x - 10)}" y="${f(y + 20)}" text-anchor="end" fill="${color}">full context (${Math.round(p.x).toLocaleString("en-US")} tok)</text>`);
      }
    } else {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${s.points.map((p) => `${f(sx(p.x))},${f(sy(p.y))}`).join(" ")}"/>`);
      for (const p of s.points) out.push(`<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="3.5" fill="${color}"/>`);
    }
    out.push(`</g>`);
    // legend
    const ly = m.top + 10 + i * 22;
    const lx = m.left + pw + 20;
    if (s.name === "full-context") out.push(`<path d="M ${lx + 12} ${ly - 6} L ${lx + 18} ${ly} L ${lx + 12} ${ly + 6} L ${lx + 6} ${ly} Z" fill="${color}"/>`);
    else out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 32}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  const budgets = runs.map((r) => r.budgetTokens).join(", ");
  out.push(`<text x="${m.left + pw + 20}" y="${m.top + 20 + series.length * 22}" fill="#666">budgets: ${esc(budgets)}</text>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/**
 * A Markdown table of a BEAM result: answer coverage per question type and overall (one
 * column per system), the share of instruction / preference questions whose tested
 * instruction is present, context tokens, latency and ingestion speed.
 *
 * @example
 * ```ts
 * console.log(formatBeamTable(await runBeamBench({ data: "../shared/data/beam/100K", budget: 1000 })));
 * ```
 */
export function formatBeamTable(r: BeamBenchResult): string {
  const systems = Object.keys(r.systems);
  const sys = systems.map((s) => r.systems[s]!);
  const types = [...new Set(sys.flatMap((s) => Object.keys(s.byType)))];
  const rows: Cell[][] = [];
  rows.push([`**answer coverage** overall (n=${sys[0]?.overall.questions ?? 0})`, ...sys.map((s) => fmtRecall(s.overall.answerCoverage))]);
  for (const t of types) {
    const n = sys[0]?.byType[t]?.questions ?? 0;
    const note = t === "abstention" ? ", not in overall" : FOLLOWING_TYPES.has(t) ? ", coverage of the tested instruction, not in overall" : "";
    rows.push([`${t} (n=${n}${note})`, ...sys.map((s) => fmtRecall(s.byType[t]?.answerCoverage))]);
  }
  rows.push([`instruction/preference present (≥ ${r.presenceThreshold})`, ...sys.map((s) => `${s.following.present}/${s.following.questions}`)]);
  rows.push(["mean context tokens", ...sys.map((s) => fmtInt(s.overall.meanContextTokens))]);
  rows.push(["p50 ms", ...sys.map((s) => fmtMs(s.overall.p50Ms))]);
  rows.push(["p95 ms", ...sys.map((s) => fmtMs(s.overall.p95Ms))]);
  rows.push(["ingest turns/s", ...sys.map((s) => fmtInt(s.ingest?.turnsPerSecond))]);
  if (sys.some((s) => s.ingest?.warmUpSeconds !== undefined)) rows.push(["ingest warm-up s (once per process, not in the rate)", ...sys.map((s) => (s.ingest?.warmUpSeconds !== undefined ? s.ingest.warmUpSeconds.toFixed(2) : "—"))]);
  const title = `BEAM answer coverage @ ${r.budgetTokens} tokens — chats ${r.chats.join(", ")} — ${r.questions} questions`;
  const following = r.following.map((f) => `- [${f.chat}] ${f.type}: "${f.tested}" — ${systems.map((s) => `${s} ${f.systems[s]?.present ? "present" : "absent"} (${(f.systems[s]?.coverage ?? 0).toFixed(2)})`).join(", ")}`);
  return [title, "", markdownTable(["metric", ...systems], rows), ...(following.length ? ["", "Instruction / preference following (tested instruction in the context?):", ...following] : [])].join("\n");
}
