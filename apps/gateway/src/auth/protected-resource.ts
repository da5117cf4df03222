import type { ServiceApp } from '@mna/shared/kit';
import type { FastifyRequest } from 'fastify';
import { type GatewayConfig, usesDevAuth } from '../config.js';
import { MCP_PATH } from '../proxy/route-table.js';
import { DEV_ISSUER } from './dev-keys.js';

/** RFC 9728's well-known path; a resource with a path appends it (`…/oauth-protected-resource/v1/mcp`). */
export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';

/** Clerk's Frontend API from a publishable key: `pk_(test|live)_` + base64(`<frontend api>$`). */
export function frontendApiUrlOf(publishableKey: string | undefined): string | undefined {
  const encoded = /^pk_(?:test|live)_([A-Za-z0-9+/=_-]+)$/.exec(publishableKey ?? '')?.[1];
  if (!encoded) return undefined;
  const host = Buffer.from(encoded, 'base64').toString('utf8');
  return host.endsWith('$') && host.length > 1 ? `https://${host.slice(0, -1)}` : undefined;
}

/**
 * The authorization server MCP clients are sent to: `CLERK_ISSUER_URL`, else the Frontend API named by
 * `CLERK_PUBLISHABLE_KEY` (Clerk's issuer and OAuth server); with development auth, its own issuer.
 */
export function authorizationServerOf(config: GatewayConfig): string | undefined {
  if (config.CLERK_ISSUER_URL) return config.CLERK_ISSUER_URL.replace(/\/+$/, '');
  if (usesDevAuth(config)) return DEV_ISSUER;
  return frontendApiUrlOf(config.CLERK_PUBLISHABLE_KEY);
}

/** The gateway's public origin: `PUBLIC_URL`, else the request's (protocol honours TRUST_PROXY). */
export const publicBaseOf = (publicUrl: string | undefined, request: FastifyRequest) =>
  (publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');

/** The RFC 9728 metadata document that describes the resource a request addressed. */
export function resourceMetadataUrl(publicUrl: string | undefined, request: FastifyRequest): string {
  const mcp = request.routeOptions.url === MCP_PATH;
  return `${publicBaseOf(publicUrl, request)}${PROTECTED_RESOURCE_PATH}${mcp ? MCP_PATH : ''}`;
}

/** The 401 challenge: where an OAuth client (an MCP client) learns how to get a token for us. */
export const bearerChallenge = (metadataUrl: string, invalidToken: boolean) =>
  `Bearer ${invalidToken ? 'error="invalid_token", ' : ''}resource_metadata="${metadataUrl}"`;

export type ProtectedResourceSettings = {
  publicUrl: string | undefined;
  authorizationServer: string | undefined;
};

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), as the MCP authorization spec asks: the API (at
 * the origin) and the MCP server (`/v1/mcp`) are resources whose tokens come from Clerk. Public and
 * readable from any origin (the CORS plugin opens /.well-known to all, without credentials).
 */
export async function registerProtectedResource(app: ServiceApp, settings: ProtectedResourceSettings) {
  const document = (request: FastifyRequest, path: string) => {
    const base = publicBaseOf(settings.publicUrl, request);
    return {
      resource: base + path,
      authorization_servers: settings.authorizationServer ? [settings.authorizationServer] : [],
      bearer_methods_supported: ['header'],
      resource_name: path === MCP_PATH ? 'M&A intelligence MCP server' : 'M&A intelligence API',
      resource_documentation: `${base}/docs`,
    };
  };
  for (const path of ['', MCP_PATH]) {
    app.get(PROTECTED_RESOURCE_PATH + path, async (request, reply) => {
      reply.header('cache-control', 'public, max-age=3600');
      return document(request, path);
    });
  }
}
