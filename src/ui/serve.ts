/**
 * Serves the web inspector at `/ui`: one HTML page, `app.js` and `app.css`, with a strict
 * Content-Security-Policy (everything from this origin; nothing from a CDN, so it works
 * offline). The page calls the HTTP API with the key typed at its login screen.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Hono } from "hono";
import type { AppEnv } from "../server/app.js";
import { bundleUi, type UiBundle } from "./bundle.js";

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join("; ");

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-cache",
};

/**
 * The inspector's HTML page.
 *
 * @example
 * ```ts
 * const html = uiHtml(); // <!doctype html>… <script type="module" src="/ui/app.js">
 * ```
 */
export function uiHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Mnemo inspector</title>
<link rel="stylesheet" href="/ui/app.css">
<script type="module" src="/ui/app.js"></script>
</head>
<body>
<div id="app"></div>
<noscript>The Mnemo inspector needs JavaScript. The same data is available from the HTTP API (GET /docs).</noscript>
</body>
</html>
`;
}

let pending: Promise<UiBundle> | null = null;

/**
 * The inspector's assets: the prebuilt files next to this module (`dist/ui/assets/`, made by
 * `npm run build`) or, from a source checkout, an in-memory esbuild bundle made once per process.
 *
 * @example
 * ```ts
 * const { js, css } = await loadUiAssets();
 * ```
 */
export function loadUiAssets(): Promise<UiBundle> {
  pending ??= (async () => {
    const js = new URL("./assets/app.js", import.meta.url);
    const css = new URL("./assets/app.css", import.meta.url);
    if (existsSync(js) && existsSync(css)) return { js: readFileSync(js, "utf8"), css: readFileSync(css, "utf8") };
    return bundleUi();
  })();
  pending.catch(() => {
    pending = null;
  });
  return pending;
}

/**
 * Adds `GET /ui`, `/ui/`, `/ui/app.js` and `/ui/app.css` to the app (no key needed: the
 * page holds no data; every API call it makes needs one).
 *
 * @example
 * ```ts
 * const app = new Hono<AppEnv>(); mountUi(app); await app.request("/ui");
 * ```
 */
export function mountUi(app: Hono<AppEnv>): void {
  const page = (c: { set(k: "route", v: string): void }) => {
    c.set("route", "/ui");
    return new Response(uiHtml(), { headers: { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" } });
  };
  app.get("/ui", (c) => page(c));
  app.get("/ui/", (c) => page(c));
  app.get("/ui/app.js", async (c) => {
    c.set("route", "/ui/app.js");
    const { js } = await loadUiAssets();
    return new Response(js, { headers: { ...SECURITY_HEADERS, "content-type": "text/javascript; charset=utf-8" } });
  });
  app.get("/ui/app.css", async (c) => {
    c.set("route", "/ui/app.css");
    const { css } = await loadUiAssets();
    return new Response(css, { headers: { ...SECURITY_HEADERS, "content-type": "text/css; charset=utf-8" } });
  });
}
