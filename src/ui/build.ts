/**
 * `npm run build` step: writes the inspector bundle to `dist/ui/assets/` (or the directory
 * given as the first argument), where the compiled server serves it from.
 *
 * @example
 * ```sh
 * npx tsx src/ui/build.ts dist/ui/assets
 * ```
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleUi } from "./bundle.js";
import { isMainModule } from "../core/main-module.js";

/**
 * Bundles the inspector and writes `app.js` and `app.css` into `dir`; returns their sizes in bytes.
 *
 * @example
 * ```ts
 * const sizes = await writeUiBundle("dist/ui/assets"); // { js: 31000, css: 6000 }
 * ```
 */
export async function writeUiBundle(dir: string): Promise<{ js: number; css: number }> {
  const { js, css } = await bundleUi();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "app.js"), js);
  writeFileSync(join(dir, "app.css"), css);
  return { js: Buffer.byteLength(js), css: Buffer.byteLength(css) };
}

if (isMainModule(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? "dist/ui/assets");
  writeUiBundle(dir).then(
    (s) => process.stderr.write(`web inspector: ${dir}/app.js ${s.js} B, app.css ${s.css} B\n`),
    (e: unknown) => {
      process.stderr.write(`web inspector build failed: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
