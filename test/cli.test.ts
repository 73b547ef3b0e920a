/**
 * The `mnemo` CLI on a real SQLite file: JSON contracts, typed errors with non-zero exit
 * codes, and a database left unchanged by bad input. Commands run in-process through
 * `run(argv, io)` (the same code path as the binary, with captured stdout/stderr); a few
 * cases spawn the real binary (`mcp` on stdio, `--llm` with an environment, a smoke run),
 * always asynchronously so the test worker never blocks.
 */
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { startMockLLMServer } from "./support/mock-llm-server.js";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/main.js";

const LOCOMO = "../shared/data/locomo/locomo-dev.json";
const dir = mkdtempSync(join(tmpdir(), "mnemo-cli-"));
const db = join(dir, "cli.db");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function mnemo(...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await run(["node", "mnemo", "--db", db, ...args], {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
  });
  return { code, stdout, stderr };
}

async function json<T>(p: Promise<Run>): Promise<T> {
  const r = await p;
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

function errorOf(r: Run): { code: string; message: string; hint: string } {
  return (JSON.parse(r.stderr.trim().split("\n").at(-1)!) as { error: { code: string; message: string; hint: string } }).error;
}

interface StatsJson {
  episodes: number;
  memories: number;
  entities: number;
}

beforeAll(() => {
  expect(existsSync(LOCOMO), "the shared LoCoMo file").toBe(true);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Spawns the real binary without blocking the worker (a long spawnSync starves vitest's RPC). */
function spawnAsync(args: string[], input: string, env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { env, stdio: ["pipe", "pipe", "pipe"], timeout: 60_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe("mnemo CLI", () => {
  it("the real binary runs: --version and a typed error exit code (real process)", async () => {
    const v = await spawnAsync(["--version"], "");
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // MNEMO_LOW_MEMORY=1 sets V8's --optimize-for-size from inside the CLI (NODE_OPTIONS may not carry it).
    const low = await spawnAsync(["--version"], "", { ...process.env, MNEMO_LOW_MEMORY: "1" });
    expect(low.status).toBe(0);
    expect(low.stdout.trim()).toBe(v.stdout.trim());
    const bad = await spawnAsync(["--db", db, "--json", "memories", "show", "mem_nope"], "");
    expect(bad.status).toBe(4);
    expect(errorOf({ code: bad.status ?? -1, stdout: bad.stdout, stderr: bad.stderr }).code).toBe("NOT_FOUND");
  });

  it("imports a LoCoMo conversation, reports turns/s, and is idempotent", async () => {
    const first = await json<{ turns: number; turnsPerSecond: number; episodes: number; users: string[] }>(mnemo("--json", "import", "locomo", LOCOMO, "--conversations", "conv-26"));
    expect(first).toMatchObject({ turns: 419, episodes: 419, users: ["conv-26"] });
    expect(first.turnsPerSecond).toBeGreaterThan(0);
    const stats = await json<StatsJson>(mnemo("--json", "stats", "--user", "conv-26"));
    expect(stats.episodes).toBe(419);
    // 288 with the learned filler filter (conv-26's 419 turns; 300+ before it).
    expect(stats.memories).toBeGreaterThan(250);
    expect(stats.entities).toBeGreaterThan(5);
    const again = await json<{ episodes: number; duplicates: number; added: number }>(mnemo("--json", "import", "locomo", LOCOMO, "--conversations", "conv-26"));
    expect(again).toMatchObject({ episodes: 0, duplicates: 419, added: 0 });
    expect(await json<StatsJson>(mnemo("--json", "stats", "--user", "conv-26"))).toEqual(stats);
  });

  it("recall --json keeps its contract: context, contextTokens, results with dia_id sources", async () => {
    const r = await json<{ context: string; contextTokens: number; results: Array<{ id: string; type: string; kind: string; text: string; score: number; sources: string[]; occurredAt: string }> }>(
      mnemo("--json", "recall", "When did Caroline go to the LGBTQ support group?", "--user", "conv-26", "--budget", "300"),
    );
    expect(r.contextTokens).toBeLessThanOrEqual(300);
    expect(r.context).toContain("7 May 2023"); // the answer: "yesterday" resolved against the session date
    expect(r.results.length).toBeGreaterThan(0);
    for (const x of r.results) {
      expect(["memory", "episode"]).toContain(x.type);
      expect(x.sources.every((s) => /^D\d+:\d+$/.test(s))).toBe(true);
      expect(typeof x.score).toBe("number");
      expect(Number.isNaN(Date.parse(x.occurredAt))).toBe(false);
    }
    expect(r.results.some((x) => x.sources.includes("D1:3"))).toBe(true);
  });

  it("lists, shows, traces, forgets, exports and re-imports memories", async () => {
    const page = await json<{ items: Array<{ id: string; text: string }>; nextCursor: string | null }>(mnemo("--json", "memories", "list", "--user", "conv-26", "--limit", "5"));
    expect(page.items).toHaveLength(5);
    expect(page.nextCursor).not.toBeNull();
    const id = page.items[0]!.id;
    const shown = await json<{ id: string; sourceEpisodes: unknown[] }>(mnemo("--json", "memories", "show", id));
    expect(shown.id).toBe(id);
    expect(shown.sourceEpisodes.length).toBeGreaterThan(0);
    await json(mnemo("--json", "forget", id));
    const history = await json<Array<{ op: string }>>(mnemo("--json", "memories", "history", id));
    expect(history.map((h) => h.op).at(-1)).toBe("forget");
    const out = join(dir, "conv-26.jsonl");
    expect((await mnemo("export", "--user", "conv-26", "--out", out)).code).toBe(0);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: "mnemo-export", userId: "conv-26" });
    // Re-importing into the same user changes nothing.
    const before = await json<StatsJson>(mnemo("--json", "stats", "--user", "conv-26"));
    await json(mnemo("--json", "import", out, "--allow-instructions")); // our own export: trusted
    expect(await json<StatsJson>(mnemo("--json", "stats", "--user", "conv-26"))).toEqual(before);
  });

  describe("bad input: typed error, non-zero exit, database unchanged", () => {
    const cases: Array<[string, () => string[], string, number]> = [
      ["bad JSON in a JSONL import", () => (writeFileSync(join(dir, "bad.jsonl"), '{"content": "hi", "userId": "u1"}\n{not json\n'), ["import", "jsonl", join(dir, "bad.jsonl")]), "INVALID_JSON", 3],
      ["a file that is not LoCoMo", () => (writeFileSync(join(dir, "shape.json"), JSON.stringify({ hello: "world" })), ["import", "locomo", join(dir, "shape.json")]), "INVALID_INPUT", 3],
      ["a missing file", () => ["import", "locomo", join(dir, "nope.json")], "INVALID_INPUT", 3],
      ["a huge message", () => (writeFileSync(join(dir, "huge.json"), JSON.stringify([{ speaker: "A", content: "x".repeat(200_000) }])), ["remember", "--user", "u1", "--file", join(dir, "huge.json")]), "PAYLOAD_TOO_LARGE", 3],
      ["an invalid date", () => ["remember", "--user", "u1", "--at", "2023-02-30", "I planted basil."], "INVALID_DATE", 3],
      ["a bad user id", () => ["remember", "--user", "../etc", "hello there"], "INVALID_SCOPE", 3],
      ["exporting an unknown user", () => ["export", "--user", "conv-99"], "UNKNOWN_USER", 4],
      ["a negative budget", () => ["recall", "What did Caroline research?", "--user", "conv-26", "--budget", "-5"], "INVALID_INPUT", 3],
      ["an unknown memory id", () => ["memories", "show", "mem_nope"], "NOT_FOUND", 4],
      ["erasing an unknown user", () => ["erase", "--user", "nobody"], "UNKNOWN_USER", 4],
    ];
    let before = "";
    beforeAll(async () => {
      before = (await mnemo("--json", "stats")).stdout;
      expect(before).toContain('"episodes"');
    });
    for (const [name, args, code, exit] of cases) {
      it(name, async () => {
        const r = await mnemo("--json", ...args());
        expect(r.code, r.stderr).toBe(exit);
        const e = errorOf(r);
        expect(e.code).toBe(code);
        expect(e.hint.length).toBeGreaterThan(0);
      });
    }
    it("left the database exactly as it was", async () => {
      expect((await mnemo("--json", "stats")).stdout).toBe(before);
    });
  });

  it("regression: `mnemo mcp` answers on stdio and exits cleanly when the client closes stdin (real process)", async () => {
    const input = [
      { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "t", version: "1" } } },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
    ]
      .map((m) => JSON.stringify(m))
      .join("\n");
    const r = await spawnAsync(["--db", db, "mcp", "--user", "conv-26"], input + "\n");
    expect(r.stderr).not.toContain("Maximum call stack");
    expect(r.status).toBe(0);
    const replies = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { id?: number; result?: { tools?: Array<{ name: string }> } });
    expect(replies.find((x) => x.id === 2)?.result?.tools?.map((t) => t.name)).toEqual(expect.arrayContaining(["remember", "recall", "search_nodes"]));
  });

  it("--llm extracts with a model (a local OpenAI-compatible server)", async () => {
    const server = await startMockLLMServer({
      handler: (req) =>
        req.api === "openai" && JSON.stringify(req.body).includes("Rex")
          ? JSON.stringify({ memories: [{ kind: "fact", text: "Ann has a beagle named Rex.", subject: "Ann", attribute: null, date: null, sources: [1], entities: [{ name: "Rex", type: "object" }], importance: 0.8 }] })
          : undefined,
    });
    try {
      // A real process: the provider URL comes from its environment.
      const exec = promisify(execFile);
      const env = { ...process.env, MNEMO_LLM_BASE_URL: `${server.url}/v1` };
      const args = ["--import", "tsx", "src/cli/main.ts", "--db", db, "--llm", "openai-compatible/mock", "--json"];
      await exec(process.execPath, [...args, "remember", "--user", "ann", "--speaker", "Ann", "My beagle Rex loves the beach."], { env });
      const list = await json<{ items: Array<{ text: string }> }>(mnemo("--json", "memories", "list", "--user", "ann"));
      const texts = list.items.map((m) => m.text);
      expect(texts).toContain("Ann has a beagle named Rex.");
      expect(server.requests.some((r) => r.api === "openai")).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("erase removes the user", async () => {
    await json(mnemo("--json", "erase", "--user", "conv-26"));
    expect(await json<StatsJson>(mnemo("--json", "stats", "--user", "conv-26"))).toMatchObject({ episodes: 0, memories: 0, entities: 0 });
  });
});
