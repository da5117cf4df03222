import { createHash } from 'node:crypto';
import { createClerkClient } from '@clerk/fastify';
import { type PlanId, PlanIdSchema } from '@mna/shared';
import { decodeJwt } from 'jose';
import { DEV_PLAN_CLAIM } from './dev-keys.js';

/** Who a verified bearer token speaks for. */
export type Identity =
  | {
      kind: 'session';
      userId: string;
      orgId: string | null;
      orgRole: string | null;
      permissions: string[];
      /** Only from development tokens, and only while Clerk is not configured. */
      devPlan: PlanId | null;
      expiresAtMs: number;
    }
  | { kind: 'machine'; machineId: string; tenantId: string | null; scopes: string[]; expiresAtMs: number };

export type TokenVerifierSettings = {
  publishableKey: string;
  secretKey?: string | undefined;
  jwtKey?: string | undefined;
  machineSecretKey?: string | undefined;
  authorizedParties: string[];
  /** Honour the development plan claim (development auth only). */
  devMode: boolean;
  maxEntries: number;
};

const NETWORKLESS_PLACEHOLDER_SECRET = 'sk_test_networkless_jwt_key_only';
const ACCEPTS = ['session_token', 'm2m_token'] as const;
const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

type AuthObject = Record<string, unknown> & { tokenType?: string; isAuthenticated?: boolean };

function identityOf(auth: AuthObject, devMode: boolean, expiresAtMs: number): Identity | null {
  if (!auth.isAuthenticated) return null;
  if (auth.tokenType === 'session_token') {
    const claims = (auth.sessionClaims ?? {}) as Record<string, unknown>;
    const plan = PlanIdSchema.safeParse(claims[DEV_PLAN_CLAIM]);
    return {
      kind: 'session',
      userId: String(auth.userId),
      orgId: (auth.orgId as string | undefined) ?? null,
      orgRole: (auth.orgRole as string | undefined) ?? null,
      permissions: (auth.orgPermissions as string[] | undefined) ?? [],
      devPlan: devMode && plan.success ? plan.data : null,
      expiresAtMs,
    };
  }
  if (auth.tokenType === 'm2m_token') {
    const claims = (auth.claims ?? {}) as Record<string, unknown>;
    const tenant = claims.tenant_id ?? claims.org_id;
    return {
      kind: 'machine',
      machineId: String(auth.subject),
      tenantId: typeof tenant === 'string' && tenant ? tenant : null,
      scopes: (auth.scopes as string[] | undefined) ?? [],
      expiresAtMs,
    };
  }
  return null;
}

/**
 * Verifies bearer tokens through Clerk's own `authenticateRequest` (networkless with `jwtKey`) and
 * caches each verified identity under a hash of its token until, at the latest, the token expires, so a
 * repeat request skips the signature check. Failures are not cached and carry no Clerk detail.
 */
export function createTokenVerifier(settings: TokenVerifierSettings) {
  const clerk = createClerkClient({
    publishableKey: settings.publishableKey,
    // Clerk insists on a secret key even when `jwtKey` makes verification networkless; it is only ever
    // sent to Clerk's API, which a jwtKey-only setup never calls for JWTs (opaque `mt_` tokens then fail).
    secretKey: settings.secretKey ?? NETWORKLESS_PLACEHOLDER_SECRET,
    telemetry: { disabled: true },
    ...(settings.jwtKey ? { jwtKey: settings.jwtKey } : {}),
    ...(settings.machineSecretKey ? { machineSecretKey: settings.machineSecretKey } : {}),
  });
  const cache = new Map<string, Identity>();
  let hits = 0;
  let misses = 0;

  function remember(key: string, identity: Identity) {
    if (cache.size >= settings.maxEntries) {
      // Oldest first (Map keeps insertion order): drop a tenth to amortise the cost.
      let drop = Math.ceil(settings.maxEntries / 10);
      for (const k of cache.keys()) {
        cache.delete(k);
        if (--drop <= 0) break;
      }
    }
    cache.set(key, identity);
  }

  async function verify(token: string): Promise<Identity | null> {
    const key = hashToken(token);
    const cached = cache.get(key);
    if (cached) {
      if (cached.expiresAtMs > Date.now()) {
        hits++;
        return cached;
      }
      cache.delete(key);
    }
    misses++;
    const request = new Request('http://gateway.internal/', {
      headers: { authorization: `Bearer ${token}` },
    });
    let auth: AuthObject;
    try {
      const state = await clerk.authenticateRequest(request, {
        acceptsToken: [...ACCEPTS],
        authorizedParties: settings.authorizedParties,
      });
      auth = state.toAuth() as unknown as AuthObject;
    } catch {
      return null;
    }
    if (!auth.isAuthenticated) return null;
    // Clerk checked `exp` already; read it back (plain decode of a verified JWT) to bound the cache.
    const identity = identityOf(auth, settings.devMode, (decodeJwt(token).exp ?? 0) * 1000);
    if (identity && identity.expiresAtMs > Date.now()) remember(key, identity);
    return identity;
  }

  return { verify, stats: () => ({ hits, misses, size: cache.size }) };
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;
