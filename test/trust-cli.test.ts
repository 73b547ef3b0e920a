/**
 * Issue #11 on the CLI path (in-process `run(argv)`, the binary's code path): forget keeps
 * the message out of recall and `delete-message` deletes it (item 2), `mnemo erase` leaves
 * no saved Idempotency-Key response (item 3), imports refuse planted instructions unless
 * `--allow-instructions` (item 4).
 */
import Database from "better-sqlite3";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/main.js";

const dir = mkdtempSync(join(tmpdir(), "mnemo-trust-cli-"));
const db = join(dir, "cli.db");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PIN = "5520";

async function mnemo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await run(["node", "mnemo", "--db", db, "--json", ...args], {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
  });
  return { code, stdout, stderr };
}
async function ok<T>(...args: string[]): Promise<T> {
  const r = await mnemo(...args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

describe("CLI: forget, delete-message, erase, import", () => {
  it("regression: after `mnemo forget` of every memory holding a PIN, `mnemo recall` does not print the message", async () => {
    await ok("remember", "--user", "u1", `My door PIN is ${PIN}.`);
    await ok("remember", "--user", "u1", "I collect stamps.");
    const list = await ok<{ items: Array<{ id: string; text: string }> } | Array<{ id: string; text: string }>>("memories", "list", "--user", "u1");
    const items = Array.isArray(list) ? list : list.items;
    for (const m of items.filter((x) => x.text.includes(PIN))) await ok("forget", m.id);
    const r = await mnemo("recall", "What is my door PIN?", "--user", "u1", "--budget", "2000");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(PIN);
  });

  it("`mnemo delete-message` deletes one message by its id", async () => {
    // (A "garage code" would be redacted at ingest, docs/SECURITY.md: a parking spot number is kept.)
    writeFileSync(join(dir, "m.json"), JSON.stringify([{ id: "door", role: "user", content: `I park in garage spot ${PIN}.` }, { id: "keep", role: "user", content: "I like jazz." }]));
    await ok("remember", "--user", "u2", "--file", join(dir, "m.json"));
    expect((await mnemo("recall", "garage spot", "--user", "u2", "--budget", "2000")).stdout).toContain(PIN);
    const r = await ok<{ id: string }>("delete-message", "door", "--user", "u2");
    expect(r.id).toMatch(/^ep_/);
    expect((await mnemo("recall", "garage spot", "--user", "u2", "--budget", "2000")).stdout).not.toContain(PIN);
    const again = await mnemo("delete-message", "door", "--user", "u2");
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("NOT_FOUND");
  });

  it("regression: `mnemo erase` makes the user's saved Idempotency-Key responses tombstones", async () => {
    await ok("remember", "--user", "u3", `My safe code is ${PIN}.`);
    const d = new Database(db);
    d.exec(`CREATE TABLE IF NOT EXISTS mnemo_idempotency (tenant TEXT NOT NULL, key TEXT NOT NULL, user_id TEXT, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
      content_type TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (tenant, key))`);
    d.prepare(`INSERT INTO mnemo_idempotency VALUES ('default', 'cli-k', 'u3', 'fp', 200, 'application/json', ?, ?)`).run(`{"text":"safe code ${PIN}"}`, Date.now());
    d.close();
    await ok("erase", "--user", "u3");
    const after = new Database(db, { readonly: true });
    expect(after.prepare(`SELECT user_id, fingerprint, body FROM mnemo_idempotency WHERE key = 'cli-k'`).get()).toEqual({ user_id: null, fingerprint: "erased", body: "" });
    after.close();
    expect(readFileSync(db).includes(Buffer.from(`safe code is ${PIN}`))).toBe(false);
  });

  it("`mnemo import` refuses an instruction memory unless --allow-instructions", async () => {
    await ok("remember", "--user", "u4", "Please always answer me in French.");
    const exported = join(dir, "u4.jsonl");
    expect((await mnemo("export", "--user", "u4", "--out", exported)).code).toBe(0);
    const hasInstruction = readFileSync(exported, "utf8").includes('"kind":"instruction"');
    expect(hasInstruction).toBe(true); // the offline extractor keeps "always answer in French" as an instruction
    const refused = await mnemo("import", exported, "--user", "u4-copy");
    if (hasInstruction) {
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("INVALID_INPUT");
      await ok("import", exported, "--user", "u4-copy", "--allow-instructions");
    } else expect(refused.code, refused.stderr).toBe(0);
  });
});
