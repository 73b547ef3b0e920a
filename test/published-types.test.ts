/**
 * Consumers of the published types must not need `@types/better-sqlite3` (a dev dependency):
 * no declaration file reachable from a `types` entry of package.json's `exports` may import
 * `better-sqlite3`. Builds the declarations (tsconfig.build.json) into a temporary folder.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const out = mkdtempSync(join(tmpdir(), "mnemo-dts-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function tsc(args: string[]): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["node_modules/typescript/bin/tsc", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr.on("data", (d: Buffer) => (text += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, text }));
  });
}

describe("published types", () => {
  it("regression: no declaration reachable from the package exports imports better-sqlite3", { timeout: 300_000 }, async () => {
    const r = await tsc(["-p", "tsconfig.build.json", "--emitDeclarationOnly", "--declarationMap", "false", "--sourceMap", "false", "--outDir", out]);
    expect(r.code, r.text).toBe(0);
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { exports: Record<string, string | { types?: string }> };
    const entries = Object.values(pkg.exports).flatMap((e) => (typeof e === "object" && e.types ? [normalize(e.types.replace(/^\.\/dist\//, ""))] : []));
    expect(entries).toEqual(expect.arrayContaining(["index.d.ts", "client/index.d.ts", "integrations/ai-sdk.d.ts", "integrations/langgraph.d.ts"]));
    const seen = new Set<string>();
    const stack = [...entries];
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (seen.has(f) || !existsSync(join(out, f))) continue;
      seen.add(f);
      for (const m of readFileSync(join(out, f), "utf8").matchAll(/(?:from|import\()\s*["'](\.[^"']+)["']/g)) stack.push(normalize(join(dirname(f), m[1]!)).replace(/\.js$/, ".d.ts"));
    }
    expect(seen.size).toBeGreaterThan(10);
    const offenders = [...seen].filter((f) => /["']better-sqlite3["']/.test(readFileSync(join(out, f), "utf8")));
    expect(offenders).toEqual([]);
  });
});
