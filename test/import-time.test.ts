/**
 * Import time: `import "mnemo-memory"` must not load compromise, chrono-node or gpt-tokenizer
 * (together ~2.5 s of the ~3.6 s import measured on a busy 2-core machine; ~0.8 s after). They
 * are loaded on first use through src/core/lazy-deps.ts; this guards that no module imports
 * them eagerly again, and that the lazy loaders work.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chrono, compromise, tokenizer } from "../src/core/lazy-deps.js";

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

describe("import time", () => {
  it("regression: no source module imports a heavy NLP/tokenizer dependency eagerly", () => {
    const eager = /^\s*import\s+(?!type\b)[^;]*from\s+["'](compromise|chrono-node|gpt-tokenizer)(\/[^"']*)?["']/m;
    const offenders = files("src").filter((f) => !f.endsWith(join("core", "lazy-deps.ts")) && eager.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the lazy loaders return the real libraries", () => {
    expect(tokenizer().countTokens("hello world")).toBe(2);
    expect(chrono().parse("on 8 May 2023", { instant: new Date("2023-06-01T00:00:00Z"), timezone: 0 })[0]!.start.get("day")).toBe(8);
    expect(compromise()("Alice moved to Boston.").people().out("array")).toEqual(["Alice"]);
  });
});
