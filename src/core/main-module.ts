import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * True when the module at `moduleUrl` is the script node was started with
 * (`node dist/server/main.js`, `npx tsx src/mcp/main.ts`), so it may run as a command.
 *
 * @example
 * ```ts
 * if (isMainModule(import.meta.url)) await main();
 * ```
 */
export function isMainModule(moduleUrl: string): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
