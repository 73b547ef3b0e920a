/**
 * Load benchmark of the HTTP API: one server (a child process on a temp database), N
 * concurrent autocannon connections split between recall and remember, for S seconds.
 * Prints req/s and p50/p95/p99 per route and writes bench/results/server.json.
 *
 *   npx tsx bench/server.ts [--seconds 60] [--connections 50] [--recall-share 0.7] [--json out.json]
 *
 * @example
 * ```ts
 * const report = await runServerBench({ seconds: 3, connections: 10 });
 * report.errors; // 0
 * ```
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { KeyStore } from "../src/auth/keys.js";
import { MnemoClient } from "../src/client/index.js";
import { isMainModule } from "../src/core/main-module.js";

interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
interface AutocannonInstance {
  on(event: "response", fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

/**
 * Latency and throughput of one route.
 *
 * @example
 * ```ts
 * const slowest = report.routes.reduce((a, b) => (a.p99 > b.p99 ? a : b));
 * ```
 */
export interface RouteStats {
  route: string;
  connections: number;
  requests: number;
  reqPerSec: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/**
 * What {@link runServerBench} measured.
 *
 * @example
 * ```ts
 * const report: BenchReport = await runServerBench({ seconds: 5 });
 * ```
 */
export interface BenchReport {
  seconds: number;
  connections: number;
  cpus: number;
  node: string;
  routes: RouteStats[];
  totalReqPerSec: number;
  /** Socket errors + timeouts + non-2xx over all routes. */
  errors: number;
  at: string;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CITIES = ["Lisbon", "Oslo", "Kyoto", "Lima", "Cairo", "Quito", "Boston", "Porto"];
const HOBBIES = ["surfing", "chess", "pottery", "climbing", "baking", "sailing", "painting", "running"];
const QUESTIONS = ["Where did {u} move?", "What does {u} love doing?", "When did {u} go to {c}?", "Who went {h} with {u}?", "What happened in {c}?"];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function spawnServer(db: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/server/main.ts"), "--port", "0", "--db", db, "--rate-limit", "0", "--log-level", "warn"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "pipe"],
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error("server did not start")), 30_000);
    createInterface({ input: child.stderr! }).on("line", (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) (clearTimeout(timer), resolveUrl(m[1]!));
      else process.stderr.write(`[server] ${line}\n`);
    });
    void exited.then(() => reject(new Error("server exited")));
  });
  return { url, stop: async () => (child.kill("SIGTERM"), exited) };
}

/**
 * Runs the benchmark and returns per-route stats.
 *
 * @example
 * ```ts
 * const r = await runServerBench({ seconds: 20, connections: 50 });
 * console.table(r.routes);
 * ```
 */
export async function runServerBench(options: { seconds?: number; connections?: number; recallShare?: number; users?: number } = {}): Promise<BenchReport> {
  const seconds = options.seconds ?? 60;
  const connections = Math.max(2, options.connections ?? 50);
  const share = options.recallShare ?? 0.7;
  const users = options.users ?? 8;
  const dir = mkdtempSync(join(tmpdir(), "mnemo-bench-"));
  const db = join(dir, "bench.db");
  const ks = KeyStore.open(db);
  const key = ks.create({ tenant: "bench", scopes: "read,write" }).key;
  ks.close();
  const server = await spawnServer(db);
  try {
    const client = new MnemoClient({ baseUrl: server.url, apiKey: key });
    for (let u = 0; u < users; u++) {
      const messages = Array.from({ length: 20 }, (_, i) => ({
        id: `seed-${i}`,
        speaker: `User${u}`,
        content: `I moved to ${CITIES[(u + i) % CITIES.length]} in ${2020 + (i % 4)} and I love ${HOBBIES[(u * 3 + i) % HOBBIES.length]} with my friend Sam.`,
        occurredAt: `2023-0${1 + (i % 9)}-1${i % 10}T10:00:00Z`,
      }));
      await client.remember({ userId: `user${u}`, sessionId: "seed", messages });
    }
    const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    let n = 0;
    const recallReq: AutocannonRequest = {
      method: "POST",
      path: "/v1/recall",
      headers,
      setupRequest: (req) => {
        const i = n++;
        const u = i % users;
        const q = QUESTIONS[i % QUESTIONS.length]!.replace("{u}", `User${u}`).replace("{c}", CITIES[i % CITIES.length]!).replace("{h}", HOBBIES[i % HOBBIES.length]!);
        return { ...req, body: JSON.stringify({ userId: `user${u}`, query: q, budgetTokens: 500 }) };
      },
    };
    let m = 0;
    const rememberReq: AutocannonRequest = {
      method: "POST",
      path: "/v1/remember",
      headers,
      setupRequest: (req) => {
        const i = m++;
        const u = i % users;
        const body = {
          userId: `user${u}`,
          sessionId: `load-${Math.floor(i / 10)}`,
          messages: [{ id: `load-${i}`, speaker: `User${u}`, content: `Yesterday I went ${HOBBIES[i % HOBBIES.length]} in ${CITIES[(i * 3) % CITIES.length]} with ${["Sam", "Ana", "Kim"][i % 3]} (note ${i}).` }],
        };
        return { ...req, body: JSON.stringify(body) };
      },
    };
    const recallConns = Math.max(1, Math.round(connections * share));
    const plan: Array<[string, number, AutocannonRequest]> = [
      ["POST /v1/recall", recallConns, recallReq],
      ["POST /v1/remember", connections - recallConns, rememberReq],
    ];
    const runs = plan.map(
      ([route, conns, req]) =>
        new Promise<RouteStats>((resolveRun, reject) => {
          const latencies: number[] = [];
          const inst = autocannon({ url: server.url, connections: conns, duration: seconds, requests: [req], timeout: 30 }, (err, result) => {
            if (err) return reject(err);
            latencies.sort((a, b) => a - b);
            resolveRun({
              route,
              connections: conns,
              requests: result.requests.total,
              reqPerSec: Math.round((result.requests.total / result.duration) * 10) / 10,
              p50: percentile(latencies, 50),
              p95: percentile(latencies, 95),
              p99: percentile(latencies, 99),
              errors: result.errors + result.timeouts,
              non2xx: result.non2xx,
            });
          });
          inst.on("response", (_c, _status, _bytes, ms) => latencies.push(Math.round(ms * 100) / 100));
        }),
    );
    const routes = await Promise.all(runs);
    return {
      seconds,
      connections,
      cpus: cpus().length,
      node: process.version,
      routes,
      totalReqPerSec: Math.round(routes.reduce((a, r) => a + r.reqPerSec, 0) * 10) / 10,
      errors: routes.reduce((a, r) => a + r.errors + r.non2xx, 0),
      at: new Date().toISOString(),
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Formats a report as a Markdown table.
 *
 * @example
 * ```ts
 * console.log(formatReport(await runServerBench({ seconds: 5 })));
 * ```
 */
export function formatReport(r: BenchReport): string {
  const lines = [
    `${r.connections} connections, ${r.seconds} s, ${r.cpus} CPUs, Node ${r.node}`,
    "",
    "| route | connections | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...r.routes.map((x) => `| ${x.route} | ${x.connections} | ${x.requests} | ${x.reqPerSec} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.errors + x.non2xx} |`),
    `| **total** | ${r.connections} | ${r.routes.reduce((a, x) => a + x.requests, 0)} | ${r.totalReqPerSec} | | | | ${r.errors} |`,
  ];
  return lines.join("\n");
}


if (isMainModule(import.meta.url)) {
  const { values } = parseArgs({ options: { seconds: { type: "string" }, connections: { type: "string" }, "recall-share": { type: "string" }, json: { type: "string" } } });
  const report = await runServerBench({
    seconds: values.seconds ? Number(values.seconds) : undefined,
    connections: values.connections ? Number(values.connections) : undefined,
    recallShare: values["recall-share"] ? Number(values["recall-share"]) : undefined,
  });
  console.log(formatReport(report));
  const out = values.json ?? join(ROOT, "bench/results/server.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
  console.log(`\nwrote ${out}`);
  if (report.errors > 0) process.exitCode = 1;
}
