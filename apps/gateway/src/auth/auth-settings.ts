import type { ClerkKeyPair } from '@mna/shared';
import { type GatewayConfig, usesDevAuth } from '../config.js';
import { MCP_PATH } from '../proxy/route-table.js';
import { devPublishableKey, loadOrCreateDevKeys } from './dev-keys.js';
import type { TokenVerifierSettings } from './token-verifier.js';

export type ResolvedAuth = {
  verifier: TokenVerifierSettings;
  devKeys: (ClerkKeyPair & { created: boolean }) | null;
};

/**
 * Clerk settings from config; without them (never in production: config refuses to load) the
 * development key pair, verified through the very same Clerk path with its PEM as `jwtKey`.
 */
export async function resolveAuth(config: GatewayConfig): Promise<ResolvedAuth> {
  const base = {
    authorizedParties: config.CLERK_AUTHORIZED_PARTIES,
    maxEntries: config.AUTH_CACHE_MAX_ENTRIES,
    machineSecretKey: config.CLERK_MACHINE_SECRET_KEY,
    apiUrl: config.CLERK_API_URL,
    opaqueCacheMs: config.AUTH_OPAQUE_CACHE_MS,
    // OAuth access tokens (MCP clients) must name the MCP server as their audience (RFC 8707).
    oauthAudience: config.PUBLIC_URL ? `${config.PUBLIC_URL.replace(/\/+$/, '')}${MCP_PATH}` : undefined,
  };
  if (!usesDevAuth(config)) {
    return {
      devKeys: null,
      verifier: {
        ...base,
        publishableKey: config.CLERK_PUBLISHABLE_KEY ?? devPublishableKey(),
        secretKey: config.CLERK_SECRET_KEY,
        jwtKey: config.CLERK_JWT_KEY,
        devMode: false,
      },
    };
  }
  if (config.NODE_ENV === 'production') throw new Error('development auth is refused in production');
  const devKeys = await loadOrCreateDevKeys(config.DEV_AUTH_KEY_FILE);
  return {
    devKeys,
    verifier: { ...base, publishableKey: devPublishableKey(), jwtKey: devKeys.publicKeyPem, devMode: true },
  };
}
