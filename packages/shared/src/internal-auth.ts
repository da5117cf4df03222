import { webcrypto } from 'node:crypto';
import { type CryptoKey, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { PlanIdSchema } from './plans.js';

/** Header that carries the gateway-signed token to the services. Clients can never set it. */
export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
const ISSUER = 'mna-gateway';
const AUDIENCE = 'mna-services';
/** Tokens live at most this long: they cover one hop of one request. */
export const MAX_INTERNAL_TOKEN_TTL_SECONDS = 60;

/** Who is calling, as the gateway established it. */
export const PrincipalSchema = z.object({
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  orgRole: z.string().min(1).nullable(),
  plan: PlanIdSchema,
  requestId: z.string().min(1),
  permissions: z.array(z.string()).default([]),
  platformAdmin: z.boolean().default(false),
});
export type Principal = z.infer<typeof PrincipalSchema>;
export type PrincipalInput = z.input<typeof PrincipalSchema>;

const encoder = new TextEncoder();
const hmacKeys = new Map<string, Promise<CryptoKey>>();
/** The secret's HMAC key, imported once per process: importing it on every call made each sign/verify ~4× slower. */
function keyOf(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = webcrypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    ) as Promise<CryptoKey>;
    hmacKeys.set(secret, key);
  }
  return key;
}

/** Signs a short-lived HS256 token carrying the principal. */
export async function signInternalToken(
  principal: PrincipalInput,
  secret: string,
  ttlSeconds = 30,
): Promise<string> {
  const ttl = Math.min(Math.max(1, Math.floor(ttlSeconds)), MAX_INTERNAL_TOKEN_TTL_SECONDS);
  const claims = PrincipalSchema.parse(principal);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.userId)
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`)
    .sign(await keyOf(secret));
}

export type InternalTokenFailure = 'missing' | 'expired' | 'invalid';

export class InternalTokenError extends Error {
  readonly reason: InternalTokenFailure;
  constructor(reason: InternalTokenFailure) {
    super(`internal token ${reason}`);
    this.name = 'InternalTokenError';
    this.reason = reason;
  }
}

/** Verifies signature, issuer, audience, expiry and lifetime, then the principal's shape. */
export async function verifyInternalToken(token: string | undefined, secret: string): Promise<Principal> {
  return (await verifyClaims(token, secret)).principal;
}

async function verifyClaims(token: string | undefined, secret: string) {
  if (!token) throw new InternalTokenError('missing');
  try {
    const { payload } = await jwtVerify(token, await keyOf(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'iat'],
    });
    if ((payload.exp ?? 0) - (payload.iat ?? 0) > MAX_INTERNAL_TOKEN_TTL_SECONDS) {
      throw new InternalTokenError('invalid');
    }
    const parsed = PrincipalSchema.safeParse(payload);
    if (!parsed.success) throw new InternalTokenError('invalid');
    return { principal: parsed.data, expiresAtMs: (payload.exp ?? 0) * 1000 };
  } catch (error) {
    if (error instanceof InternalTokenError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new InternalTokenError('expired');
    throw new InternalTokenError('invalid');
  }
}

/**
 * `verifyInternalToken` that remembers: a token that verified is answered from memory until it
 * expires. Signers reuse one token per principal for seconds (`createInternalTokenCache`), so most
 * hops skip the HMAC check. Only verified tokens are kept (the exact string, so a tampered one is
 * never a hit); refusals are checked again every time.
 */
export function createInternalTokenVerifier(secret: string, maxEntries = 10_000) {
  const verified = new LRUCache<string, { principal: Principal; expiresAtMs: number }>({ max: maxEntries });
  return async function verify(token: string | undefined): Promise<Principal> {
    const hit = token ? verified.get(token) : undefined;
    if (hit && hit.expiresAtMs > Date.now()) return { ...hit.principal };
    const claims = await verifyClaims(token, secret);
    verified.set(token!, claims);
    return { ...claims.principal };
  };
}
