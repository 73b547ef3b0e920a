/**
 * API keys for the HTTP API and the MCP server.
 *
 * @example
 * ```ts
 * import { KeyStore } from "./auth/index.js";
 * const { key } = KeyStore.open("./mnemo.db").create({ tenant: "acme" });
 * ```
 */
export { KeyStore, KEY_SCOPES, DEFAULT_KEY_SCOPES, normalizeScopes, openSideDb, type ApiKeyInfo, type KeyScope } from "./keys.js";
export { runKeysCommand } from "./cli.js";
