/**
 * The web inspector end to end in a real browser (Debian's Chromium driven by playwright-core)
 * against a real `mnemo serve` on loopback over a real SQLite file: open /ui, log in with a
 * key, browse users, memories, a memory's history, the conversation and the entity graph, run
 * the recall playground, edit, forget and erase — checking the store after each write — plus
 * `mnemo ui` (no key on loopback), keyboard use, labels, themes and no request leaving the origin.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyStore } from "../src/auth/keys.js";
import { startInspector } from "../src/cli/commands/ui.js";
import { Mnemo } from "../src/mnemo.js";
import { startServer, type RunningServer } from "../src/server/main.js";
import { CHROMIUM, openBrowser, type TestBrowser } from "./support/browser.js";
import { tempDir } from "./support/server-harness.js";
import { seedInspectorStore } from "./support/ui-seed.js";

const TENANT = "acme";

/** expect.poll with room for a busy CI machine (vitest's default gives up after 1 s). */
// Waits poll page.evaluate: page.waitForFunction polls with eval inside the page, which the
// inspector's CSP (script-src 'self') refuses whenever the condition is not already true.
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 100 });

/** Every form control on the page has an accessible name (label, aria-label or labelledby). */
async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll("input, select, textarea, button")]
    .filter((e) => {
      if (e.type === "hidden") return false;
      const labelled = (e.labels && e.labels.length > 0) || e.getAttribute("aria-label") || e.getAttribute("aria-labelledby");
      const text = e.tagName === "BUTTON" && (e.textContent ?? "").trim() !== "";
      return !labelled && !text;
    })
    .map((e) => e.outerHTML.slice(0, 120))`);
}

/** Ids used more than once on the page (they would break label and aria references). */
async function duplicateIds(page: Page): Promise<string[]> {
  return page.evaluate(`(() => { const seen = new Set(), dup = []; for (const e of document.querySelectorAll("[id]")) { if (seen.has(e.id)) dup.push(e.id); seen.add(e.id); } return dup; })()`);
}

/** Evaluates a browser expression (a string: the tests are type-checked without DOM types). */
const js = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;

describe("web inspector in Chromium", () => {
  let tmp: { dir: string; cleanup(): void };
  let db: string;
  let server: RunningServer;
  let browser: TestBrowser;
  let key: string;
  let readOnlyKey: string;
  const outside: string[] = [];

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`).toBe(true);
    tmp = tempDir("mnemo-ui-");
    db = join(tmp.dir, "mnemo.db");
    await seedInspectorStore(db, TENANT);
    const keys = KeyStore.open(db);
    key = keys.create({ tenant: TENANT, scopes: ["read", "write", "admin"] }).key;
    readOnlyKey = keys.create({ tenant: TENANT, scopes: ["read"] }).key;
    keys.close();
    server = await startServer({ db, port: 0, logLevel: "silent", rateLimit: false });
    browser = await openBrowser();
    browser.context.on("request", (r) => {
      if (!r.url().startsWith(server.url) && !r.url().startsWith("data:")) outside.push(r.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    tmp?.cleanup();
  });

  /** Reads the store directly (a second connection to the same file). */
  async function store<T>(fn: (m: Mnemo) => Promise<T>): Promise<T> {
    const m = await Mnemo.open({ path: db, tenant: TENANT });
    try {
      return await fn(m);
    } finally {
      await m.close();
    }
  }

  it("logs in with a key, browses, recalls, edits, forgets and erases", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

    // Open: the login screen asks for a key; a wrong one is refused with the API's code.
    const res = await page.goto(`${server.url}/ui`);
    expect(res?.headers()["content-security-policy"]).toContain("default-src 'self'");
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    await page.getByLabel("API key").fill("mnemo_0000000000000000_wrong");
    await page.getByRole("button", { name: "Log in" }).click();
    await poll(() => page.getByRole("alert").textContent()).toContain("UNAUTHORIZED");
    errors.length = 0; // the browser logs the refused request itself
    await page.getByLabel("API key").fill(key);
    await page.getByLabel("API key").press("Enter");

    // Users of the tenant with counts.
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await poll(() => page.locator("header").textContent()).toContain(TENANT);
    const aliceRow = page.getByRole("row", { name: /alice/ });
    await poll(() => aliceRow.textContent()).toMatch(/alice8\d+/);
    expect(await page.getByRole("row", { name: /bob/ }).count()).toBe(1);
    expect(await unlabelledControls(page)).toEqual([]);

    // A user's memories: search and filters.
    await page.getByRole("link", { name: "alice", exact: true }).click();
    await page.getByRole("heading", { name: "Memories" }).waitFor();
    await page.getByLabel("Status").selectOption("all");
    await page.getByLabel("Search").fill("Lisbon");
    const texts = () => page.locator(".memlist li .memtext").allTextContents();
    await poll(async () => (await texts()).length > 0 && (await texts()).every((t) => t.toLowerCase().includes("lisbon"))).toBe(true);
    await poll(() => page.getByRole("status").first().textContent()).toMatch(/^[1-9]\d* memor/);
    await page.getByLabel("Search").fill("");
    await page.getByLabel("Status").selectOption("valid");
    await page.getByLabel("Kind").selectOption("preference");
    const items = page.locator(".memlist li");
    await poll(async () => (await items.count()) > 0 && (await page.locator(".memlist li .badge.kind-preference").count()) === (await items.count())).toBe(true);
    await page.getByLabel("From").fill("2024-05-01");
    await page.getByLabel("Kind").selectOption("");
    await poll(() => page.locator(".memlist li .memtext").allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("Porto")]));
    for (const meta of await page.locator(".memlist li .meta").allTextContents()) expect(meta).toContain("May 2024");
    expect(await unlabelledControls(page)).toEqual([]);

    // A memory's history with its source turn, then edit it.
    await page.getByRole("button", { name: "Reset" }).click();
    await page.getByLabel("Search").fill("Acme");
    await poll(async () => (await page.locator(".memlist li .memtext").allTextContents()).every((t) => t.includes("Acme"))).toBe(true);
    await page.locator(".memlist li .memtext").first().click();
    await page.getByRole("heading", { name: "History" }).waitFor();
    await poll(() => page.locator(".timeline").textContent()).toContain("I work at Acme Corp");
    const memoryId = (await page.locator("h1 code").textContent())!;
    expect(await duplicateIds(page)).toEqual([]);
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Text").fill("Alice is a senior data engineer at Acme Corp.");
    await page.getByRole("button", { name: "Save" }).click();
    await poll(() => page.locator(".notice").textContent()).toContain("Saved");
    await poll(() => page.locator(".timeline .badge.op-patch").count()).toBe(1);
    expect((await store((m) => m.memory(memoryId))).text).toBe("Alice is a senior data engineer at Acme Corp.");

    // Forget it (confirmation dialog, keyboard: Escape cancels, then confirm).
    await page.getByRole("button", { name: "Forget…" }).click();
    await page.getByRole("dialog").waitFor();
    await page.keyboard.press("Escape");
    await poll(() => page.getByRole("dialog").count()).toBe(0);
    expect((await store((m) => m.memory(memoryId))).forgottenAt).toBeNull();
    await page.getByRole("button", { name: "Forget…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Forget" }).click();
    await poll(() => page.locator("h1 .badge.status-forgotten").count()).toBe(1);
    expect((await store((m) => m.memory(memoryId))).forgottenAt).not.toBeNull();

    // Undo the forget (POST /v1/memories/{id}/restore), then forget it again for the rest of the walk.
    await page.getByRole("button", { name: "Restore" }).click();
    await poll(() => page.locator("h1 .badge.status-valid").count()).toBe(1);
    expect((await store((m) => m.memory(memoryId))).forgottenAt).toBeNull();
    await page.getByRole("button", { name: "Forget…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Forget" }).click();
    await poll(() => page.locator("h1 .badge.status-forgotten").count()).toBe(1);

    // The conversation, day by day, with the memories derived from each turn.
    await page.getByRole("link", { name: "Conversation", exact: true }).click();
    await page.getByRole("navigation", { name: "Days" }).waitFor();
    expect(await page.getByRole("navigation", { name: "Days" }).getByRole("link").allTextContents()).toEqual(["2024-04-02 (2)", "2024-04-03 (2)", "2024-04-20 (2)", "2024-05-10 (2)"]);
    await page.getByRole("link", { name: /2024-04-02/ }).click();
    await poll(() => page.locator(".messages .bubble").first().textContent()).toContain("I moved to Lisbon");
    expect(await page.locator(".messages li").first().getByRole("list", { name: "Memories from this message" }).getByRole("link").count()).toBeGreaterThan(0);

    // Delete one message (DELETE /v1/episodes/{id}), behind a confirmation.
    await page.getByRole("link", { name: /2024-05-10/ }).click();
    await poll(() => page.locator(".messages .bubble").allTextContents()).toContain("Congratulations on the move to Porto!");
    await page.getByRole("button", { name: "Delete message a8" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete message" }).click();
    await poll(() => page.locator(".messages .bubble").allTextContents()).not.toContain("Congratulations on the move to Porto!");
    expect(await page.locator(".messages .bubble").count()).toBe(1);
    expect((await store((m) => m.store.listEpisodes({ tenant: TENANT, userId: "alice" }))).map((e) => e.externalId)).not.toContain("a8");

    // The entity graph: an SVG with one focusable node per entity; Enter selects.
    await page.getByRole("link", { name: "Entity graph", exact: true }).click();
    await page.locator("svg.graph .node").first().waitFor();
    expect(await page.locator("svg.graph .node").count()).toBeGreaterThanOrEqual(3);
    const node = page.getByRole("button", { name: /^[^,]+, (person|place|organization|object|topic), [1-9]\d* memories$/ }).first();
    const name = (await node.getAttribute("aria-label"))!.split(",")[0]!;
    await node.focus();
    await page.keyboard.press("Enter");
    await poll(() => node.getAttribute("aria-pressed")).toBe("true");
    const panel = page.getByRole("complementary", { name: "Selected entity" });
    expect(await panel.getByRole("heading").textContent()).toContain(name);
    expect(await panel.getByRole("link").count()).toBeGreaterThan(0);

    // The recall playground: the context as the model gets it, tokens, channel scores.
    await page.getByRole("link", { name: "Recall playground", exact: true }).click();
    await page.getByLabel("Query").fill("Where does Alice live?");
    await page.getByLabel("Budget (tokens)").fill("120");
    await page.getByRole("button", { name: "Recall", exact: true }).click();
    const context = page.getByLabel("Context as the model gets it");
    await context.waitFor();
    const api = (await (
      await fetch(`${server.url}/v1/recall`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ userId: "alice", query: "Where does Alice live?", budgetTokens: 120, includeEpisodes: true, citeSources: false }),
      })
    ).json()) as { context: string; contextTokens: number };
    expect(await context.textContent()).toBe(api.context);
    expect(await page.getByTestId("context-tokens").textContent()).toContain(`${api.contextTokens} tokens`);
    const headers = await page.locator("table.grid thead th").allTextContents();
    expect(headers).toEqual(expect.arrayContaining(["Score", "Tokens"]));
    expect(headers.length).toBeGreaterThan(4); // at least one channel column
    await page.getByLabel("As of (day)").fill("2024-04-30");
    await page.getByRole("button", { name: "Recall", exact: true }).click();
    await poll(() => context.textContent()).not.toContain("May 2024");
    expect(await context.textContent()).toContain("April 2024");

    // Erase a user: the confirmation needs the user id typed.
    await page.goto(`${server.url}/ui#/u/bob/memories`);
    await page.getByRole("button", { name: "Erase user…" }).click();
    const dialog = page.getByRole("dialog");
    const confirm = dialog.getByRole("button", { name: "Erase for ever" });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/Type bob to confirm/).fill("bob");
    expect(await confirm.isDisabled()).toBe(false);
    await confirm.click();
    await page.getByRole("heading", { name: "Users" }).waitFor();
    await poll(() => page.getByRole("row", { name: /bob/ }).count()).toBe(0);
    expect(await store((m) => m.stats({ tenant: TENANT, userId: "bob" }))).toMatchObject({ episodes: 0, memories: 0, entities: 0 });

    // Theme toggle: system → light → dark, and back to the OS setting.
    const theme = () => js<string>(page, `document.documentElement.dataset.theme ?? "system"`);
    await page.getByRole("button", { name: /^Theme: system/ }).click();
    expect(await theme()).toBe("light");
    await page.getByRole("button", { name: /^Theme: light/ }).click();
    expect(await theme()).toBe("dark");
    const bg = await js<string>(page, "getComputedStyle(document.body).backgroundColor");
    expect(bg).toBe("rgb(20, 22, 27)");
    await page.getByRole("button", { name: /^Theme: dark/ }).click();
    expect(await theme()).toBe("system");

    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it("is usable from the keyboard alone: skip link, tabs and links reach the views", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/ui`);
    await page.getByLabel("API key").fill(key);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Users" }).waitFor();
    // After each navigation focus moves to the main region (in an effect, so wait for it), so Tab reaches the content first.
    await poll(() => js<string>(page, "document.activeElement?.id")).toBe("main");
    // The users list loads after its heading: until the link is there, Tab leaves the region
    // and wraps to the skip link (flaked once in a clean-clone CI run, stop 17).
    await page.getByRole("link", { name: "alice", exact: true }).waitFor();
    await page.keyboard.press("Tab");
    expect(await js<string>(page, "document.activeElement?.textContent")).toBe("alice");
    // The first Tab stop of the page is the skip link, which moves focus to the content.
    expect(await js<string>(page, `document.querySelector("a[href], button, input, select, textarea, [tabindex]")?.textContent`)).toBe("Skip to content");
    await page.getByRole("link", { name: "Skip to content" }).focus();
    await page.keyboard.press("Enter");
    await poll(() => js<string>(page, "document.activeElement?.id")).toBe("main");
    await page.getByRole("link", { name: "alice", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Memories" }).waitFor();
    // The app moves focus to the main region in an effect after each navigation: wait for it,
    // or a focus taken before the effect runs is lost (flaked once in CI: the query went nowhere).
    await poll(() => js<string>(page, "document.activeElement?.id")).toBe("main");
    await page.getByRole("link", { name: "Recall playground", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Recall playground" }).waitFor();
    await poll(() => js<string>(page, "document.activeElement?.id")).toBe("main");
    await page.getByLabel("Query").focus();
    await page.keyboard.type("What does Alice drink?");
    await page.keyboard.press("Enter");
    await page.getByLabel("Context as the model gets it").waitFor();
    expect(await page.getByLabel("Context as the model gets it").textContent()).toContain("tea");
    await page.close();
  });

  it("hides writes from a read-only key and keeps the key in the tab only", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/ui`);
    await page.getByLabel("API key").fill(readOnlyKey);
    await page.keyboard.press("Enter");
    await page.getByRole("link", { name: "alice", exact: true }).click();
    await page.locator(".memlist li .memtext").first().click();
    await page.getByRole("heading", { name: "History" }).waitFor();
    expect(await page.getByRole("button", { name: "Edit" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Erase user…" }).count()).toBe(0);
    await page.getByRole("link", { name: "Conversation", exact: true }).click();
    await page.locator(".messages .bubble").first().waitFor();
    expect(await page.getByRole("button", { name: /^Delete message/ }).count()).toBe(0);
    expect(await page.evaluate("JSON.stringify({ ...localStorage })")).not.toContain("mnemo_");
    expect(await page.evaluate("sessionStorage.getItem('mnemo.inspector.key')")).toBe(readOnlyKey);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('mnemo.inspector.key')")).toBeNull();
    await page.close();
  });

  it("goes back to the login screen when the key is revoked mid-session", async () => {
    const keys = KeyStore.open(db);
    const { key: shortLived, info } = keys.create({ tenant: TENANT, scopes: ["read"] });
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/ui`);
    await page.getByLabel("API key").fill(shortLived);
    await page.keyboard.press("Enter");
    await page.getByRole("link", { name: "alice", exact: true }).click();
    await page.getByRole("heading", { name: "Memories" }).waitFor();
    keys.revoke(info.id);
    keys.close();
    // The next request with the revoked key sends the app to the login screen. On a busy
    // machine a request still in flight from the Memories view may get there first and take
    // the links away, so the clicks only try (CI flake, stop 16).
    const login = page.getByRole("heading", { name: "Log in" });
    for (const name of ["Recall playground", "Memories"]) {
      if (await login.isVisible()) break;
      await page.getByRole("link", { name, exact: true }).click({ timeout: 5_000 }).catch(() => undefined);
    }
    await login.waitFor();
    await poll(() => page.getByRole("alert").first().textContent()).toContain("no longer accepted");
    expect(await js<string | null>(page, "sessionStorage.getItem('mnemo.inspector.key')")).toBeNull();
    await page.close();
  });

  it("recall playground: the sensitive policy and quarantined messages, with provenance badges", async () => {
    const res = await fetch(`${server.url}/v1/remember`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        userId: "carol",
        messages: [
          { id: "c1", speaker: "Carol", role: "user", content: "I was diagnosed with diabetes last year and I take insulin.", occurredAt: "2024-04-02T10:00:00Z" },
          { id: "c2", role: "tool", content: "Weather API: Lisbon 22C sunny.", occurredAt: "2024-04-02T10:00:05Z" },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/ui#/u/carol/recall`);
    await page.getByLabel("API key").fill(key);
    await page.keyboard.press("Enter");
    await page.getByLabel("Query").fill("What should I cook for Carol this weekend?");
    await page.getByLabel("Sensitive memories").selectOption("exclude");
    await page.getByRole("button", { name: "Recall", exact: true }).click();
    const context = page.getByLabel("Context as the model gets it");
    await context.waitFor();
    expect(await context.textContent()).not.toContain("diabetes");
    await page.getByLabel("Sensitive memories").selectOption("include");
    await page.getByRole("button", { name: "Recall", exact: true }).click();
    await poll(() => context.textContent()).toContain("diabetes");
    expect(await page.locator("table.grid .badge.sens").allTextContents()).toContain("health");
    await page.getByRole("link", { name: "Memories", exact: true }).click();
    await page.getByLabel("Source role").selectOption("tool");
    await poll(() => page.locator(".memlist li .badge.warn").allTextContents()).toContain("untrusted");
    await page.close();
  });

  it("`mnemo ui` serves a local file on loopback without a key", async () => {
    const ui = await startInspector({ db, port: 0, tenant: TENANT, logLevel: "silent" });
    try {
      const page = await browser.context.newPage();
      await page.goto(`${ui.url}/ui`);
      await page.getByRole("heading", { name: "Users" }).waitFor();
      await poll(() => page.locator("header").textContent()).toContain("no auth (loopback)");
      expect(await page.getByRole("button", { name: "Log out" }).count()).toBe(0);
      await page.getByRole("link", { name: "alice", exact: true }).click();
      await page.getByRole("heading", { name: "Memories" }).waitFor();
      await page.close();
    } finally {
      await ui.close();
    }
    await expect(startInspector({ db: join(tmp.dir, "missing.db"), port: 0, logLevel: "silent" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(startInspector({ db, port: 0, host: "0.0.0.0", logLevel: "silent" })).rejects.toMatchObject({ code: "INVALID_CONFIG" });
  });
});
