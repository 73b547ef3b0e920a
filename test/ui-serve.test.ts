/**
 * How the inspector is served: the page and its assets at /ui with a strict CSP and nothing
 * loaded from another origin (works offline), the build step that writes the bundle for
 * `dist/`, the graph layout, and the `mnemo ui` command's refusals.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/cli/main.js";
import { forceLayout } from "../src/ui/app/layout.js";
import { writeUiBundle } from "../src/ui/build.js";
import { createTestApp, tempDir, type TestApp } from "./support/server-harness.js";

/** URLs in a text that are not XML namespaces (which browsers never fetch). */
function fetchableUrls(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((m) => m[0]).filter((u) => !u.startsWith("http://www.w3.org/"));
}

describe("serving /ui", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it("serves the page without a key, with a same-origin CSP and no external resource", async () => {
    for (const path of ["/ui", "/ui/"]) {
      const r = await t.request(path);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toContain("text/html");
      const csp = r.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      const html = await r.text();
      expect(html).toContain('<script type="module" src="/ui/app.js">');
      expect(html).toContain('<link rel="stylesheet" href="/ui/app.css">');
      expect(fetchableUrls(html)).toEqual([]);
    }
  });

  it("serves a bundled Preact app and its CSS that reference no other origin", async () => {
    const js = await t.request("/ui/app.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("text/javascript");
    const code = await js.text();
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).not.toMatch(/from\s*["'](preact|preact\/hooks)["']/); // bundled, not imported at run time
    expect(code).toContain("/v1/inspect/whoami");
    expect(fetchableUrls(code)).toEqual([]);
    const css = await t.request("/ui/app.css");
    expect(css.headers.get("content-type")).toContain("text/css");
    const style = await css.text();
    expect(style).toContain("prefers-color-scheme:dark");
    expect(fetchableUrls(style)).toEqual([]);
    expect(style).not.toMatch(/@import|url\(/);
  });

  it("keeps the API's rules: /ui needs no key but the data routes do", async () => {
    expect((await t.request("/v1/inspect/users")).status).toBe(401);
    expect((await t.request("/ui/other.js")).status).toBe(404);
  });
});

describe("build step", () => {
  it("writes app.js and app.css for the compiled server (npm run build)", async () => {
    const tmp = tempDir("mnemo-ui-build-");
    try {
      const sizes = await writeUiBundle(join(tmp.dir, "assets"));
      expect(existsSync(join(tmp.dir, "assets", "app.js"))).toBe(true);
      expect(sizes.js).toBe(readFileSync(join(tmp.dir, "assets", "app.js")).length);
      expect(sizes.css).toBeGreaterThan(1000);
    } finally {
      tmp.cleanup();
    }
  });
});

describe("graph layout", () => {
  const nodes = Array.from({ length: 12 }, (_, i) => ({ id: `n${i}`, r: 8 }));
  const edges = [
    { source: "n0", target: "n1", weight: 3 },
    { source: "n1", target: "n2" },
    { source: "n0", target: "n2" },
    { source: "n5", target: "n6" },
  ];

  it("is deterministic, stays in the box and keeps nodes apart", () => {
    const a = forceLayout(nodes, edges, 600, 400);
    expect(forceLayout(nodes, edges, 600, 400)).toEqual(a);
    for (const p of a) {
      expect(p.x).toBeGreaterThanOrEqual(p.r);
      expect(p.x).toBeLessThanOrEqual(600 - p.r);
      expect(p.y).toBeGreaterThanOrEqual(p.r);
      expect(p.y).toBeLessThanOrEqual(400 - p.r);
    }
    for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) expect(Math.hypot(a[i]!.x - a[j]!.x, a[i]!.y - a[j]!.y)).toBeGreaterThan(10);
  });

  it("pulls linked nodes closer than unlinked ones", () => {
    const a = new Map(forceLayout(nodes, edges, 600, 400).map((p) => [p.id, p]));
    const d = (x: string, y: string) => Math.hypot(a.get(x)!.x - a.get(y)!.x, a.get(x)!.y - a.get(y)!.y);
    const linked = (d("n0", "n1") + d("n1", "n2") + d("n5", "n6")) / 3;
    const unlinked = (d("n0", "n7") + d("n3", "n9") + d("n2", "n10")) / 3;
    expect(linked).toBeLessThan(unlinked);
  });

  it("handles empty and single-node graphs", () => {
    expect(forceLayout([], [], 100, 100)).toEqual([]);
    expect(forceLayout([{ id: "a", r: 5 }], [], 100, 80)).toEqual([{ id: "a", x: 50, y: 40, r: 5 }]);
  });
});

describe("mnemo ui", () => {
  it("refuses a store file that does not exist (NOT_FOUND, exit 4) and a bad port (exit 3)", async () => {
    const tmp = tempDir("mnemo-ui-cli-");
    let err = "";
    const io = { stdout: { write: () => true }, stderr: { write: (c: string) => ((err += c), true) } };
    try {
      expect(await run(["node", "mnemo", "--db", join(tmp.dir, "nope.db"), "ui", "--port", "0"], io)).toBe(4);
      expect(err).toContain("No store at");
      expect(await run(["node", "mnemo", "--db", join(tmp.dir, "nope.db"), "ui", "--port", "99999"], io)).toBe(3);
    } finally {
      tmp.cleanup();
    }
    expect(existsSync(join(tmp.dir, "nope.db"))).toBe(false);
  });
});
