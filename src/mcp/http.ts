import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { createMcpServer, type McpToolsOptions } from "./tools.js";

/**
 * Answers one Streamable HTTP request to `/mcp` in stateless mode: a fresh MCP server and
 * transport per request (JSON responses, no sessions), so that each request is served
 * with the tenant and scopes of its own API key. GET and DELETE (session streams) are 405.
 *
 * @example
 * ```ts
 * app.post("/mcp", async (c) => handleMcpHttp(c.req.raw, { mnemo, tenant: "acme", userId: "default", parsedBody: await c.req.json() }));
 * ```
 */
export async function handleMcpHttp(req: Request, options: McpToolsOptions & { parsedBody?: unknown }): Promise<Response> {
  if (req.method !== "POST") {
    return new Response(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: this server is stateless; use POST." }, id: null }), {
      status: 405,
      headers: { "content-type": "application/json", allow: "POST" },
    });
  }
  const { parsedBody, ...toolOptions } = options;
  const server = createMcpServer(toolOptions);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(req, parsedBody !== undefined ? { parsedBody } : undefined);
  } finally {
    void server.close().catch(() => undefined);
  }
}
