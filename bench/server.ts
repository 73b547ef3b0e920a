/**
 * Load benchmark of the HTTP API: one or more `mnemo serve` processes (children) on one
 * database (a temp SQLite file, or a fresh schema of `--db postgres://…`), N concurrent
 * autocannon connections split between recall and remember and spread over the servers,
 * for S seconds. Prints req/s and p50/p95/p99 per route, and the CPU the servers, the load
 * generator and the whole machine used; writes bench/results/server.json. With
 * `--processes N` (N > 1) it first runs one process, then N, on fresh databases in the same
 * invocation, and reports N's throughput as a multiple of one's.
 *
 *   npx tsx bench/server.ts [--seconds 60] [--connections 50] [--recall-share 0.7] [--db postgres://…] [--processes 2] [--json out.json]
 *
 * @example
 * ```ts
 * const report = await runServerBench({ seconds: 3, connections: 10 });
 * report.errors; // 0
 * ```
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { MnemoClient } from "../src/client/index.js";
import { openKeys } from "../src/server/state.js";
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
  /** Server processes the connections were spread over. */
  processes: number;
  /** "sqlite" or "postgres". */
  store: string;
  cpus: number;
  node: string;
  routes: RouteStats[];
  totalReqPerSec: number;
  /** Socket errors + timeouts + non-2xx over all routes. */
  errors: number;
  /**
   * CPU over the load phase, in % of one core (Linux /proc; NaN elsewhere): the server
   * processes together, this process (the load generator), and the whole machine's busy
   * time as a % of all its cores (which includes PostgreSQL and anything else running).
   */
  cpu: { serversPct: number; loadGeneratorPct: number; machineBusyPct: number };
  at: string;
}

/** Clock ticks of a process (utime + stime), or NaN. */
function procTicks(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return NaN;
  }
}

/** The machine's busy and total clock ticks (all cores), or NaN. */
function machineTicks(): { busy: number; total: number } {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - f[3]! - (f[4] ?? 0), total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CITIES = ["Lisbon", "Oslo", "Kyoto", "Lima", "Cairo", "Quito", "Boston", "Porto"];
const HOBBIES = ["surfing", "chess", "pottery", "climbing", "baking", "sailing", "painting", "running"];
const QUESTIONS = ["Where did {u} move?", "What does {u} love doing?", "When did {u} go to {c}?", "Who went {h} with {u}?", "What happened in {c}?"];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function spawnServer(db: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
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
  return { url, pid: child.pid!, stop: async () => (child.kill("SIGTERM"), exited) };
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
export async function runServerBench(
  options: { seconds?: number; connections?: number; recallShare?: number; users?: number; db?: string | undefined; processes?: number } = {},
): Promise<BenchReport> {
  const seconds = options.seconds ?? 60;
  const connections = Math.max(2, options.connections ?? 50);
  const share = options.recallShare ?? 0.7;
  const users = options.users ?? 8;
  const processes = Math.max(1, Math.floor(options.processes ?? 1));
  const dir = mkdtempSync(join(tmpdir(), "mnemo-bench-"));
  // A fresh database: a temp SQLite file, or a fresh schema of the PostgreSQL server (dropped at the end).
  const pgSchema = options.db ? `bench_server_${process.pid}_${Date.now().toString(36)}` : null;
  const db = options.db ? `${options.db}${options.db.includes("?") ? "&" : "?"}schema=${pgSchema}` : join(dir, "bench.db");
  const ks = await openKeys(db);
  const key = (await ks.keys.create({ tenant: "bench", scopes: "read,write" })).key;
  await ks.close();
  const servers: Array<Awaited<ReturnType<typeof spawnServer>>> = [];
  try {
    for (let i = 0; i < processes; i++) servers.push(await spawnServer(db));
    const server = servers[0]!;
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
    // Each route's connections are spread over the servers (one autocannon per route and server).
    const runOne = (url: string, conns: number, req: AutocannonRequest, latencies: number[]) =>
      new Promise<AutocannonResult>((resolveRun, reject) => {
        const inst = autocannon({ url, connections: conns, duration: seconds, requests: [req], timeout: 30 }, (err, result) => (err ? reject(err) : resolveRun(result)));
        inst.on("response", (_c, _status, _bytes, ms) => latencies.push(Math.round(ms * 100) / 100));
      });
    const before = { servers: servers.map((x) => procTicks(x.pid)), self: process.cpuUsage(), machine: machineTicks(), at: performance.now() };
    const runs = plan.map(async ([route, conns, req]): Promise<RouteStats> => {
      const latencies: number[] = [];
      const parts = servers.map((_srv, i) => Math.floor(conns / servers.length) + (i < conns % servers.length ? 1 : 0)).map((c, i) => [servers[i]!, c] as const).filter(([, c]) => c > 0);
      const results = await Promise.all(parts.map(([srv, c]) => runOne(srv.url, c, req, latencies)));
      latencies.sort((a, b) => a - b);
      const total = results.reduce((a, r) => a + r.requests.total, 0);
      const duration = Math.max(...results.map((r) => r.duration));
      return {
        route,
        connections: conns,
        requests: total,
        reqPerSec: Math.round((total / duration) * 10) / 10,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        errors: results.reduce((a, r) => a + r.errors + r.timeouts, 0),
        non2xx: results.reduce((a, r) => a + r.non2xx, 0),
      };
    });
    const routes = await Promise.all(runs);
    const wallS = (performance.now() - before.at) / 1000;
    const tick = 100; // USER_HZ on Linux
    const serverTicks = servers.map((x, i) => procTicks(x.pid) - before.servers[i]!).reduce((a, b) => a + b, 0);
    const self = process.cpuUsage(before.self);
    const machine = machineTicks();
    const pct = (x: number) => Math.round(x * 10) / 10;
    return {
      seconds,
      connections,
      processes,
      store: options.db ? "postgres" : "sqlite",
      cpus: cpus().length,
      node: process.version,
      routes,
      totalReqPerSec: Math.round(routes.reduce((a, r) => a + r.reqPerSec, 0) * 10) / 10,
      errors: routes.reduce((a, r) => a + r.errors + r.non2xx, 0),
      cpu: {
        serversPct: pct((serverTicks / tick / wallS) * 100),
        loadGeneratorPct: pct(((self.user + self.system) / 1e6 / wallS) * 100),
        machineBusyPct: pct(((machine.busy - before.machine.busy) / (machine.total - before.machine.total)) * 100),
      },
      at: new Date().toISOString(),
    };
  } finally {
    await Promise.all(servers.map((x) => x.stop()));
    if (pgSchema && options.db) {
      const { default: pg } = await import("pg");
      const c = new pg.Client({ connectionString: options.db });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
      await c.end();
    }
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
    `${r.store}, ${r.processes} server process${r.processes > 1 ? "es" : ""}, ${r.connections} connections, ${r.seconds} s, ${r.cpus} CPUs, Node ${r.node}; ` +
      `CPU: servers ${r.cpu.serversPct} %, load generator ${r.cpu.loadGeneratorPct} % (of one core), machine ${r.cpu.machineBusyPct} % busy (all cores)`,
    "",
    "| route | connections | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...r.routes.map((x) => `| ${x.route} | ${x.connections} | ${x.requests} | ${x.reqPerSec} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.errors + x.non2xx} |`),
    `| **total** | ${r.connections} | ${r.routes.reduce((a, x) => a + x.requests, 0)} | ${r.totalReqPerSec} | | | | ${r.errors} |`,
  ];
  return lines.join("\n");
}


if (isMainModule(import.meta.url)) {
  const { values } = parseArgs({
    options: { seconds: { type: "string" }, connections: { type: "string" }, "recall-share": { type: "string" }, json: { type: "string" }, db: { type: "string" }, processes: { type: "string" } },
  });
  const base = {
    seconds: values.seconds ? Number(values.seconds) : undefined,
    connections: values.connections ? Number(values.connections) : undefined,
    recallShare: values["recall-share"] ? Number(values["recall-share"]) : undefined,
    db: values.db,
  };
  const processes = values.processes ? Number(values.processes) : 1;
  // With several processes, one process first on a fresh database of its own: the baseline of the same run.
  const reports: BenchReport[] = [];
  if (processes > 1) reports.push(await runServerBench({ ...base, processes: 1 }));
  reports.push(await runServerBench({ ...base, processes }));
  for (const r of reports) console.log(formatReport(r) + "\n");
  if (reports.length > 1) {
    const [one, many] = [reports[0]!, reports[reports.length - 1]!];
    console.log(`${many.processes} processes: ${many.totalReqPerSec} req/s = ${(many.totalReqPerSec / one.totalReqPerSec).toFixed(2)}× one process (${one.totalReqPerSec} req/s); errors ${one.errors} / ${many.errors}`);
  }
  const out = values.json ?? join(ROOT, "bench/results/server.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(reports.length > 1 ? { runs: reports } : reports[0], null, 2) + "\n");
  console.log(`\nwrote ${out}`);
  if (reports.some((r) => r.errors > 0)) process.exitCode = 1;
}
