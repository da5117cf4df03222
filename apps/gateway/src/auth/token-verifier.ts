import { createHash } from 'node:crypto';
import { createClerkClient } from '@clerk/fastify';
import { MACHINE_SCOPES_CLAIM, ORG_MEMBERS_CLAIM, type PlanId, PlanIdSchema } from '@mna/shared';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { LRUCache } from 'lru-cache';
import { DEV_PLAN_CLAIM } from './dev-keys.js';

/** Who a verified bearer token speaks for. */
export type Identity =
  | {
      kind: 'session';
      userId: string;
      orgId: string | null;
      orgRole: string | null;
      permissions: string[];
      /** The organisation's member count, where the session token carries it (`mna_org_members`). */
      orgMembers: number | null;
      /** Only from development tokens, and only while Clerk is not configured. */
      devPlan: PlanId | null;
      /** A Clerk OAuth access token (an MCP client's): good for the resource it was issued for only. */
      oauth?: true;
      expiresAtMs: number;
    }
  | {
      kind: 'machine';
      machineId: string;
      tenantId: string | null;
      /** From the custom claim `mna_scopes` (Clerk's own `scopes` name machines, not permissions). */
      scopes: string[];
      expiresAtMs: number;
    };

export type TokenVerifierSettings = {
  publishableKey: string;
  secretKey?: string | undefined;
  jwtKey?: string | undefined;
  machineSecretKey?: string | undefined;
  /** Clerk's Backend API, where opaque `mt_` tokens are verified; Clerk's own default when unset. */
  apiUrl?: string | undefined;
  authorizedParties: string[];
  /** Honour the development plan claim (development auth only). */
  devMode: boolean;
  maxEntries: number;
  /** How long a verified opaque `mt_` token is trusted before Clerk is asked again (revocation delay). */
  opaqueCacheMs: number;
  /** The resource (`aud`) Clerk OAuth access tokens must be issued for; unset: OAuth tokens refused. */
  oauthAudience?: string | undefined;
};

const NETWORKLESS_PLACEHOLDER_SECRET = 'sk_test_networkless_jwt_key_only';
const ACCEPTS = ['session_token', 'm2m_token'] as const;
/** RFC 9068's access-token JWT types, as Clerk's OAuth server writes them. */
const OAUTH_JWT_TYPES = new Set(['at+jwt', 'application/at+jwt']);
/** Clerk's prefix of opaque M2M tokens: random strings that only Clerk's Backend API can verify. */
const OPAQUE_M2M_PREFIX = 'mt_';
const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

type AuthObject = Record<string, unknown> & { tokenType?: string; isAuthenticated?: boolean };

/** `mna_scopes` as an array or an OAuth-style space-separated string. */
function scopesOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  return typeof claim === 'string' ? claim.split(' ').filter(Boolean) : [];
}

/**
 * A machine's identity: its tenant is the custom claim `tenant_id` (or `org_id`), its scopes the custom
 * claim `mna_scopes`. Clerk's own `scopes` list the machines it may reach and grant nothing here.
 */
function machineIdentity(subject: unknown, claims: unknown, expiresAtMs: number): Identity {
  const custom = (claims ?? {}) as Record<string, unknown>;
  const tenant = custom.tenant_id ?? custom.org_id;
  return {
    kind: 'machine',
    machineId: String(subject),
    tenantId: typeof tenant === 'string' && tenant ? tenant : null,
    scopes: scopesOf(custom[MACHINE_SCOPES_CLAIM]),
    expiresAtMs,
  };
}

const memberCount = (claim: unknown) =>
  typeof claim === 'number' && Number.isInteger(claim) && claim > 0 ? claim : null;

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
      orgMembers: auth.orgId ? memberCount(claims[ORG_MEMBERS_CLAIM]) : null,
      devPlan: devMode && plan.success ? plan.data : null,
      expiresAtMs,
    };
  }
  if (auth.tokenType === 'm2m_token') return machineIdentity(auth.subject, auth.claims, expiresAtMs);
  if (auth.tokenType === 'oauth_token' && typeof auth.userId === 'string') {
    // The user's personal workspace: Clerk's OAuth tokens name the user, not an organisation.
    return {
      kind: 'session',
      userId: auth.userId,
      orgId: null,
      orgRole: null,
      permissions: [],
      orgMembers: null,
      devPlan: null,
      oauth: true,
      expiresAtMs,
    };
  }
  return null;
}

/** Clerk documents `expiration` as a Unix timestamp and its SDK uses milliseconds: accept either. */
const epochMs = (t: number) => (t < 1e12 ? t * 1000 : t);

/**
 * Verifies bearer tokens with Clerk's SDK and caches each verified identity under a hash of its token
 * until, at the latest, the token expires, so a repeat request skips verification. Session tokens and
 * M2M JWTs go through `authenticateRequest` (networkless with `jwtKey`); opaque `mt_` tokens through
 * Clerk's Backend API. Failures are not cached and carry no Clerk detail.
 */
export function createTokenVerifier(settings: TokenVerifierSettings) {
  const clerk = createClerkClient({
    publishableKey: settings.publishableKey,
    // Clerk insists on a secret key even when `jwtKey` makes verification networkless; it is only ever
    // sent to Clerk's API, which a jwtKey-only setup never calls (opaque `mt_` tokens are then refused).
    secretKey: settings.secretKey ?? NETWORKLESS_PLACEHOLDER_SECRET,
    telemetry: { disabled: true },
    ...(settings.jwtKey ? { jwtKey: settings.jwtKey } : {}),
    ...(settings.machineSecretKey ? { machineSecretKey: settings.machineSecretKey } : {}),
    ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}),
  });
  const canAskClerk = Boolean(settings.secretKey || settings.machineSecretKey);
  // Least recently used entries leave first; each entry's TTL ends at its token's expiry at the latest.
  const cache = new LRUCache<string, Identity>({ max: settings.maxEntries });
  let hits = 0;
  let misses = 0;

  async function verifyJwt(token: string): Promise<Identity | null> {
    const request = new Request('http://gateway.internal/', {
      headers: { authorization: `Bearer ${token}` },
    });
    try {
      const oauth = OAUTH_JWT_TYPES.has(String(decodeProtectedHeader(token).typ ?? '').toLowerCase());
      if (oauth && !settings.oauthAudience) return null;
      // Clerk verifies an OAuth access token's signature, type, expiry and audience (networkless with jwtKey).
      const state = await clerk.authenticateRequest(
        request,
        oauth
          ? { acceptsToken: ['oauth_token'], audience: settings.oauthAudience! }
          : { acceptsToken: [...ACCEPTS], authorizedParties: settings.authorizedParties },
      );
      const auth = state.toAuth() as unknown as AuthObject;
      if (!auth.isAuthenticated) return null;
      // Clerk checked `exp` already; read it back (plain decode of a verified JWT) to bound the cache.
      return identityOf(auth, settings.devMode, (decodeJwt(token).exp ?? 0) * 1000);
    } catch {
      return null;
    }
  }

  /**
   * An opaque token carries nothing to check locally: only Clerk (`POST /m2m_tokens/verify`, one billed
   * call) knows whether it exists, is unexpired and unrevoked. Trusted for `opaqueCacheMs` at most, so a
   * revocation takes effect within that time.
   */
  async function verifyOpaque(token: string): Promise<Identity | null> {
    if (!canAskClerk) return null;
    try {
      const m2m = await clerk.m2m.verify({ token });
      if (m2m.revoked || m2m.expired || !String(m2m.subject).startsWith('mch_')) return null;
      const bound = Date.now() + settings.opaqueCacheMs;
      const expiresAtMs = m2m.expiration ? Math.min(epochMs(m2m.expiration), bound) : bound;
      return machineIdentity(m2m.subject, m2m.claims, expiresAtMs);
    } catch {
      return null;
    }
  }

  async function verify(token: string): Promise<Identity | null> {
    const key = hashToken(token);
    const cached = cache.get(key);
    if (cached && cached.expiresAtMs > Date.now()) {
      hits++;
      return cached;
    }
    misses++;
    const identity = token.startsWith(OPAQUE_M2M_PREFIX) ? await verifyOpaque(token) : await verifyJwt(token);
    const ttl = identity ? identity.expiresAtMs - Date.now() : 0;
    if (identity && ttl > 0) cache.set(key, identity, { ttl });
    return identity;
  }

  return { verify, stats: () => ({ hits, misses, size: cache.size }) };
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;
