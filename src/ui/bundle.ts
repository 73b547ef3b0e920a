/**
 * Bundles the web inspector (Preact, in `src/ui/app/`) with esbuild into one JavaScript and
 * one CSS file. `npm run build` writes them next to the compiled server (`dist/ui/assets/`);
 * from a source checkout (`tsx`, tests) the server bundles in memory on the first `/ui` request.
 */
import { fileURLToPath } from "node:url";

/**
 * The inspector's built assets.
 *
 * @example
 * ```ts
 * const { js, css } = await bundleUi();
 * ```
 */
export interface UiBundle {
  js: string;
  css: string;
}

/**
 * Builds the inspector bundle in memory (needs the `esbuild` dev dependency and the sources).
 *
 * @example
 * ```ts
 * const { js } = await bundleUi(); // minified ES module
 * ```
 */
export async function bundleUi(): Promise<UiBundle> {
  const entry = fileURLToPath(new URL("./app/main.tsx", import.meta.url));
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch {
    throw new Error("The web inspector is not built: run `npm run build` (esbuild is a dev dependency).");
  }
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: "out",
    entryNames: "app",
    format: "esm",
    platform: "browser",
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    minify: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const js = out.outputFiles.find((f) => f.path.endsWith(".js"));
  const css = out.outputFiles.find((f) => f.path.endsWith(".css"));
  if (!js || !css) throw new Error("esbuild produced no app.js/app.css.");
  return { js: js.text, css: css.text };
}
