/**
 * The Mnemo HTTP API.
 *
 * @example
 * ```ts
 * import { startServer } from "./server/index.js";
 * const { url, close } = await startServer({ port: 8080, db: "./mnemo.db" });
 * ```
 */
export { startServer, runServeCommand, parseServeArgs, isLoopback, type StartServerOptions, type RunningServer } from "./main.js";
export { createApp, type AppOptions, type AppEnv, type MnemoApp } from "./app.js";
export { buildOpenApi, renderDocsHtml } from "./openapi.js";
export { ApiError, toErrorResponse, type ApiErrorCode, type ApiErrorBody } from "./errors.js";
export { ROUTES } from "./routes/index.js";
export { KeyStore, type ApiKeyInfo, type KeyScope } from "../auth/keys.js";
export { runKeysCommand } from "../auth/cli.js";
export { runMcpStdio, runMcpCommand } from "../mcp/main.js";
export * from "./schemas.js";
export * from "./types.js";
