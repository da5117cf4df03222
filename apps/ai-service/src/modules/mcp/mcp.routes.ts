import { aiRoutes, MCP_METHODS, UnauthorizedError } from '@mna/shared';
import type { ServiceApp } from '@mna/shared/kit';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AiServices } from '../../services.js';
import { createMcpServer } from './mcp.server.js';

const METHOD_NOT_ALLOWED = {
  jsonrpc: '2.0',
  error: { code: -32000, message: 'Method not allowed: this MCP server is stateless; use POST.' },
  id: null,
};

/**
 * POST /v1/mcp: MCP Streamable HTTP, stateless (a fresh server and transport per request, JSON
 * responses), so replicas scale without sticky sessions. GET (server-sent stream) and DELETE
 * (session end) answer 405 as the spec prescribes for servers without sessions.
 */
export function mcpRoutes(
  app: ServiceApp,
  deps: Pick<AiServices, 'search' | 'analysis' | 'partners' | 'influence'>,
) {
  app.route({
    method: [...MCP_METHODS],
    url: aiRoutes.mcp.path,
    config: { auth: 'internal' },
    handler: async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw new UnauthorizedError();
      // Plans without MCP reach the server too: each tool answers them with a tool error (mcp.errors.ts).
      if (request.method !== 'POST') {
        return reply.code(405).header('allow', 'POST').send(METHOD_NOT_ALLOWED);
      }
      const server = createMcpServer(principal, deps);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      reply.hijack();
      await transport.handleRequest(request.raw, reply.raw, request.body);
    },
  });
}
