/**
 * A real headless Chromium for end-to-end tests and screenshots: Debian's /usr/bin/chromium
 * driven by playwright-core, with the flags from ../shared/README.md and a fresh profile
 * directory (removed on close).
 *
 * @example
 * ```ts
 * const b = await openBrowser();
 * const page = await b.context.newPage();
 * await page.goto("http://127.0.0.1:8080/ui");
 * await b.close();
 * ```
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** Where the browser is expected (CI installs Debian's `chromium` package). */
export const CHROMIUM = process.env.MNEMO_CHROMIUM ?? "/usr/bin/chromium";

/** Flags that keep Chromium off the network and quiet on these machines. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** A launched browser context and its cleanup. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh user-data dir. */
export async function openBrowser(options: { colorScheme?: "light" | "dark"; viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "mnemo-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    colorScheme: options.colorScheme ?? "light",
    viewport: options.viewport ?? { width: 1280, height: 860 },
    reducedMotion: "reduce",
  });
  context.setDefaultTimeout(30_000);
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
