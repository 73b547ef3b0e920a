/**
 * `npm run screenshots`: takes the README's screenshots of the web inspector (light and dark)
 * into docs/img/. It seeds a temp store with the small test conversation and, when
 * ../shared/data/locomo/locomo-dev.json exists, LoCoMo's conv-26, starts a real server, logs in
 * with a key in Debian's Chromium and captures a few views.
 *
 * @example
 * ```sh
 * npm run screenshots            # → docs/img/inspector-*.png
 * ```
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { KeyStore } from "../src/auth/keys.js";
import { findLocomo } from "../src/cli/commands/demo.js";
import { readLocomo, rememberConversation } from "../src/importers/locomo.js";
import { Mnemo } from "../src/mnemo.js";
import { startServer } from "../src/server/main.js";
import { openBrowser } from "../test/support/browser.js";
import { seedInspectorStore } from "../test/support/ui-seed.js";

const OUT = resolve(process.argv[2] ?? "docs/img");
const TENANT = "demo";

async function seed(db: string): Promise<string> {
  await seedInspectorStore(db, TENANT);
  const data = findLocomo();
  if (!data) return "alice";
  const [conv] = readLocomo(data, ["conv-26"]);
  const mnemo = await Mnemo.open({ path: db, tenant: TENANT });
  try {
    await rememberConversation(mnemo, conv!);
  } finally {
    await mnemo.close();
  }
  return conv!.sampleId;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: join(OUT, `${name}.png`) });
  process.stderr.write(`  ${join(OUT, name)}.png\n`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mnemo-shots-"));
  const db = join(dir, "mnemo.db");
  const user = await seed(db);
  const keys = KeyStore.open(db);
  const { key } = keys.create({ tenant: TENANT, scopes: "read,write,admin" });
  keys.close();
  const server = await startServer({ db, port: 0, logLevel: "silent", rateLimit: false });
  const query = user === "alice" ? "Where does Alice live?" : "When did Caroline go to the LGBTQ support group?";
  const person = user === "alice" ? "Alice" : "Caroline";
  try {
    for (const theme of ["light", "dark"] as const) {
      const b = await openBrowser({ colorScheme: theme, viewport: { width: 1280, height: 800 } });
      try {
        const page = await b.context.newPage();
        await page.goto(`${server.url}/ui`);
        await page.getByLabel("API key").fill(key);
        await page.getByRole("button", { name: "Log in" }).click();
        await page.getByRole("heading", { name: "Users" }).waitFor();
        await page.getByRole("link", { name: user, exact: true }).click();
        await page.getByRole("heading", { name: "Memories" }).waitFor();
        await page.getByLabel("Search").fill(user === "alice" ? "Lisbon" : "support group");
        await page.getByLabel("Search").blur();
        await page.locator(".memlist li").first().waitFor();
        await shot(page, `inspector-memories-${theme}`);
        await page.locator(".memlist li a").first().click();
        await page.getByRole("heading", { name: "History" }).waitFor();
        await shot(page, `inspector-memory-${theme}`);
        await page.getByRole("link", { name: "Conversation", exact: true }).click();
        await page.locator(".messages li").first().waitFor();
        await page.locator(".days a").nth(1).click();
        await page.locator(".messages li").first().waitFor();
        await shot(page, `inspector-conversation-${theme}`);
        await page.getByRole("link", { name: "Entity graph", exact: true }).click();
        await page.getByRole("button", { name: new RegExp(`^${person}, `) }).click();
        await shot(page, `inspector-graph-${theme}`);
        await page.getByRole("link", { name: "Recall playground", exact: true }).click();
        await page.getByLabel("Query").fill(query);
        await page.getByLabel("Budget (tokens)").fill("150");
        await page.getByRole("button", { name: "Recall", exact: true }).click();
        await page.locator("pre.context").waitFor();
        await shot(page, `inspector-recall-${theme}`);
      } finally {
        await b.close();
      }
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`screenshots failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
