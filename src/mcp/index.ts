/**
 * Mnemo as an MCP server: tools over stdio or Streamable HTTP.
 *
 * @example
 * ```ts
 * import { runMcpStdio } from "./mcp/index.js";
 * await runMcpStdio({ db: "./mnemo.db", userId: "alice" });
 * ```
 */
export { createMcpServer, type McpToolsOptions } from "./tools.js";
export { handleMcpHttp } from "./http.js";
export { runMcpStdio, runMcpCommand, type McpStdioOptions } from "./main.js";
export { readGraph, searchGraph, openNodes, type KnowledgeGraph, type KgEntity, type KgRelation } from "./graph.js";
