/**
 * The Python client (clients/python, standard library only) against a real `mnemo serve`
 * started on loopback with a temporary database: runs its unittest suite with python3.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyStore } from "../src/auth/keys.js";

const dir = mkdtempSync(join(tmpdir(), "mnemo-py-"));
const db = join(dir, "py.db");
let server: ChildProcess;
let url = "";
let key = "";

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

beforeAll(async () => {
  const keys = KeyStore.open(db);
  key = keys.create({ tenant: "default", scopes: "read,write,admin" }).key;
  keys.close();
  server = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "--db", db, "serve", "--port", "0", "--host", "127.0.0.1", "--log-level", "silent"], { stdio: ["ignore", "ignore", "pipe"] });
  url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: server.stderr! });
    const seen: string[] = [];
    lines.on("line", (l) => {
      seen.push(l);
      const m = /listening on (http:\/\/\S+)/.exec(l);
      if (m) resolve(m[1]!);
    });
    server.once("exit", (code) => reject(new Error(`mnemo serve exited with ${code}: ${seen.join("\n")}`)));
  });
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("Python client (clients/python)", () => {
  it("its unittest suite passes against a real mnemo serve", async () => {
    const r = await run("python3", ["-m", "unittest", "discover", "-v", "-s", "clients/python/tests"], { ...process.env, MNEMO_URL: url, MNEMO_API_KEY: key, PYTHONDONTWRITEBYTECODE: "1" });
    expect(r.out).toMatch(/Ran \d+ tests/);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/skipped/);
  });
});
