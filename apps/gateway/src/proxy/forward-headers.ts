import type { IncomingHttpHeaders } from 'node:http';
import { INTERNAL_TOKEN_HEADER } from '@mna/shared';
import { REQUEST_ID_HEADER } from '@mna/shared/kit';
import type { FastifyRequest } from 'fastify';

/**
 * Request headers a client may pass to a service. Everything else is dropped: `authorization`,
 * cookies, and any header that claims an identity (`x-tenant-id`, `x-user-id`, `x-internal-*`); the
 * service learns who is calling only from the gateway-signed internal token.
 */
const FORWARDED = [
  'accept',
  'accept-language',
  'content-type',
  'content-length',
  'user-agent',
  'if-none-match',
  'cache-control',
  // W3C Trace Context: a caller's trace continues through the services
  'traceparent',
  'tracestate',
  // MCP Streamable HTTP
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
  // Stripe's webhook, verified by billing on the raw body
  'stripe-signature',
] as const;

export function forwardHeaders(
  request: FastifyRequest,
  incoming: IncomingHttpHeaders,
  internalToken: string | null,
): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = { host: incoming.host };
  for (const name of FORWARDED) {
    const value = incoming[name];
    if (value !== undefined) (headers as Record<string, string | string[]>)[name] = value;
  }
  headers[REQUEST_ID_HEADER] = request.id;
  headers['x-forwarded-for'] = request.ip;
  headers['x-forwarded-proto'] = request.protocol;
  if (internalToken) headers[INTERNAL_TOKEN_HEADER] = internalToken;
  return headers;
}
