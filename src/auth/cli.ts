import { parseArgs } from "node:util";
import { MnemoError } from "../core/errors.js";
import { defaultDbPath } from "../mnemo.js";
import { sideDbPath } from "../store/open.js";
import { KeyStore, type ApiKeyInfo } from "./keys.js";
import { isMainModule } from "../core/main-module.js";

const USAGE = `usage:
  keys create --tenant <name> [--scopes read,write,admin] [--name <label>] [--db <path>] [--json]
  keys list [--tenant <name>] [--db <path>] [--json]
  keys revoke <id> [--db <path>] [--json]`;

function row(k: ApiKeyInfo): string {
  return [k.id, k.tenant, k.scopes.join(","), k.revokedAt ? `revoked ${k.revokedAt}` : "active", k.name ?? "", k.lastUsedAt ? `last used ${k.lastUsedAt}` : "never used"].join("\t");
}

/**
 * The `mnemo keys` command: `create`, `list` and `revoke` API keys in the database file.
 * Returns the text to print (JSON with `--json`); `create` shows the key once.
 *
 * @example
 * ```ts
 * console.log(runKeysCommand(["create", "--tenant", "acme", "--scopes", "read,write", "--db", "./mnemo.db"]));
 * ```
 */
export function runKeysCommand(argv: string[], defaults: { db?: string | undefined } = {}): string {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tenant: { type: "string" }, scopes: { type: "string" }, name: { type: "string" }, db: { type: "string" }, json: { type: "boolean" } },
    strict: true,
  });
  const [sub, ...rest] = positionals;
  if (sub !== "create" && sub !== "list" && sub !== "revoke") throw new MnemoError("INVALID_INPUT", `Unknown keys command ${JSON.stringify(sub ?? "")}.`, { hint: USAGE });
  const keys = KeyStore.open(sideDbPath(values.db ?? defaults.db ?? defaultDbPath()));
  try {
    if (sub === "create") {
      if (!values.tenant) throw new MnemoError("INVALID_INPUT", "--tenant is required.", { hint: USAGE });
      const { key, info } = keys.create({ tenant: values.tenant, scopes: values.scopes, name: values.name });
      if (values.json) return JSON.stringify({ key, ...info });
      return `${key}\n\nThis is the only time the key is shown; store it now.\nid ${info.id}  tenant ${info.tenant}  scopes ${info.scopes.join(",")}`;
    }
    if (sub === "list") {
      const list = keys.list({ tenant: values.tenant });
      if (values.json) return JSON.stringify(list);
      return list.length ? list.map(row).join("\n") : "No keys.";
    }
    const id = rest[0];
    if (!id) throw new MnemoError("INVALID_INPUT", "keys revoke needs a key id.", { hint: USAGE });
    const info = keys.revoke(id);
    return values.json ? JSON.stringify(info) : `Revoked ${info.id} (tenant ${info.tenant}).`;
  } finally {
    keys.close();
  }
}


if (isMainModule(import.meta.url)) {
  try {
    process.stdout.write(runKeysCommand(process.argv.slice(2)) + "\n");
  } catch (e) {
    const hint = e instanceof MnemoError ? `\n${e.hint}` : "";
    process.stderr.write(`mnemo keys: ${(e as Error).message}${hint}\n`);
    process.exitCode = 1;
  }
}
