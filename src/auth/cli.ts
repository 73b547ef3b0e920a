import { parseArgs } from "node:util";
import { MnemoError } from "../core/errors.js";
import { defaultDbPath } from "../mnemo.js";
import { openKeys } from "../server/state.js";
import type { ApiKeyInfo } from "./keys.js";
import { isMainModule } from "../core/main-module.js";

const USAGE = `usage:
  keys create --tenant <name> [--scopes read,write,admin] [--name <label>] [--db <path>] [--json]
  keys list [--tenant <name>] [--db <path>] [--json]
  keys revoke <id> [--db <path>] [--json]`;

function row(k: ApiKeyInfo): string {
  return [k.id, k.tenant, k.scopes.join(","), k.revokedAt ? `revoked ${k.revokedAt}` : "active", k.name ?? "", k.lastUsedAt ? `last used ${k.lastUsedAt}` : "never used"].join("\t");
}

/**
 * The `mnemo keys` command: `create`, `list` and `revoke` API keys in the store's database
 * (the SQLite file, or the PostgreSQL database of a `postgres://` URL, where every server
 * process on it reads them). Returns the text to print (JSON with `--json`); `create` shows
 * the key once.
 *
 * @example
 * ```ts
 * console.log(await runKeysCommand(["create", "--tenant", "acme", "--scopes", "read,write", "--db", "./mnemo.db"]));
 * ```
 */
export async function runKeysCommand(argv: string[], defaults: { db?: string | undefined } = {}): Promise<string> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tenant: { type: "string" }, scopes: { type: "string" }, name: { type: "string" }, db: { type: "string" }, json: { type: "boolean" } },
    strict: true,
  });
  const [sub, ...rest] = positionals;
  if (sub !== "create" && sub !== "list" && sub !== "revoke") throw new MnemoError("INVALID_INPUT", `Unknown keys command ${JSON.stringify(sub ?? "")}.`, { hint: USAGE });
  const { keys, close } = await openKeys(values.db ?? defaults.db ?? defaultDbPath());
  try {
    if (sub === "create") {
      if (!values.tenant) throw new MnemoError("INVALID_INPUT", "--tenant is required.", { hint: USAGE });
      const { key, info } = await keys.create({ tenant: values.tenant, scopes: values.scopes, name: values.name });
      if (values.json) return JSON.stringify({ key, ...info });
      return `${key}\n\nThis is the only time the key is shown; store it now.\nid ${info.id}  tenant ${info.tenant}  scopes ${info.scopes.join(",")}`;
    }
    if (sub === "list") {
      const list = await keys.list({ tenant: values.tenant });
      if (values.json) return JSON.stringify(list);
      return list.length ? list.map(row).join("\n") : "No keys.";
    }
    const id = rest[0];
    if (!id) throw new MnemoError("INVALID_INPUT", "keys revoke needs a key id.", { hint: USAGE });
    const info = await keys.revoke(id);
    return values.json ? JSON.stringify(info) : `Revoked ${info.id} (tenant ${info.tenant}).`;
  } finally {
    await close();
  }
}


if (isMainModule(import.meta.url)) {
  try {
    process.stdout.write((await runKeysCommand(process.argv.slice(2))) + "\n");
  } catch (e) {
    const hint = e instanceof MnemoError ? `\n${e.hint}` : "";
    process.stderr.write(`mnemo keys: ${(e as Error).message}${hint}\n`);
    process.exitCode = 1;
  }
}
