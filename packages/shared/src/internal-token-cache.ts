import { LRUCache } from 'lru-cache';
import { type PrincipalInput, signInternalToken } from './internal-auth.js';

export type InternalTokenCacheSettings = {
  secret: string;
  /** Lifetime of each signed token. */
  ttlSeconds: number;
  /** How long one token is handed out again; the rest of its lifetime covers the hop to the service. */
  reuseMs: number;
  maxEntries: number;
};

/** Everything the token says except the request id, which travels in `x-request-id`. */
const keyOf = (p: PrincipalInput) =>
  JSON.stringify([p.tenantId, p.userId, p.orgRole, p.plan, p.platformAdmin ?? false, p.permissions ?? []]);

/**
 * Signs one internal token per principal and hands it out again for `reuseMs` (well below its TTL), so a
 * busy principal's requests skip the HMAC signing. Services take the request id from `x-request-id` (the
 * kit's internal-auth guard), never from a reused token's claim. The gateway signs with it, and so does
 * every service-to-service call (`createServiceClient`).
 */
export function createInternalTokenCache(settings: InternalTokenCacheSettings) {
  if (settings.reuseMs >= settings.ttlSeconds * 1000) {
    throw new Error('an internal token must be reused for less than its lifetime');
  }
  const cache = new LRUCache<string, string>({ max: settings.maxEntries, ttl: settings.reuseMs });
  return async function internalTokenFor(principal: PrincipalInput): Promise<string> {
    const key = keyOf(principal);
    const cached = cache.get(key);
    if (cached) return cached;
    const token = await signInternalToken(principal, settings.secret, settings.ttlSeconds);
    cache.set(key, token);
    return token;
  };
}

export type InternalTokenFor = ReturnType<typeof createInternalTokenCache>;
