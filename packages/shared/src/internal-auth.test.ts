import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import {
  createInternalTokenVerifier,
  INTERNAL_TOKEN_HEADER,
  InternalTokenError,
  signInternalToken,
  verifyInternalToken,
} from './internal-auth.js';

const secret = 'unit-test-internal-secret-0123456789abcdef';
const principal = {
  tenantId: 'org_a',
  userId: 'user_1',
  orgRole: 'org:admin',
  plan: 'growth',
  requestId: 'req-12345678',
} as const;

async function reasonOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InternalTokenError);
    return (error as InternalTokenError).reason;
  }
  throw new Error('expected the token to be refused');
}

describe('internal tokens', () => {
  it('round-trips the principal', async () => {
    const verified = await verifyInternalToken(await signInternalToken(principal, secret), secret);
    expect(verified).toMatchObject(principal);
  });

  it('caps the lifetime at 60 seconds', async () => {
    const token = await signInternalToken(principal, secret, 3600);
    const [, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(60);
  });

  it('refuses missing, tampered, wrong-secret, expired and over-long tokens', async () => {
    const token = await signInternalToken(principal, secret);
    expect(await reasonOf(verifyInternalToken(undefined, secret))).toBe('missing');
    const [h, p, s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...principal, tenantId: 'org_b' })).toString('base64url');
    expect(await reasonOf(verifyInternalToken(`${h}.${forged}.${s}`, secret))).toBe('invalid');
    expect(await reasonOf(verifyInternalToken(`${h}.${p}.${s}`, `${secret}-other`))).toBe('invalid');
    const key = new TextEncoder().encode(secret);
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...principal })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('mna-gateway')
      .setAudience('mna-services')
      .setIssuedAt(now - 120)
      .setExpirationTime(now - 60)
      .sign(key);
    expect(await reasonOf(verifyInternalToken(expired, secret))).toBe('expired');
    const longLived = await new SignJWT({ ...principal })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('mna-gateway')
      .setAudience('mna-services')
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(key);
    expect(await reasonOf(verifyInternalToken(longLived, secret))).toBe('invalid');
  });
});

describe('the remembering verifier', () => {
  it('answers a verified token from memory until it expires, then refuses it as expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const verify = createInternalTokenVerifier(secret);
      const token = await signInternalToken(principal, secret, 2);
      const hmacChecks = vi.spyOn(globalThis.crypto.subtle, 'verify');
      expect(await verify(token)).toMatchObject(principal);
      const again = await verify(token);
      expect(again).toMatchObject(principal);
      expect(hmacChecks).toHaveBeenCalledTimes(1);
      again.tenantId = 'org_mutated';
      expect((await verify(token)).tenantId).toBe('org_a');
      vi.setSystemTime(Date.now() + 2_500);
      expect(await reasonOf(verify(token))).toBe('expired');
    } finally {
      vi.useRealTimers();
      vi.restoreAllMocks();
    }
  });

  it('never remembers a refusal, nor takes a tampered copy of a remembered token', async () => {
    const verify = createInternalTokenVerifier(secret);
    const token = await signInternalToken(principal, secret);
    expect(await reasonOf(verify(undefined))).toBe('missing');
    await verify(token);
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...principal, tenantId: 'org_b' })).toString('base64url');
    expect(await reasonOf(verify(`${h}.${forged}.${s}`))).toBe('invalid');
    const other = createInternalTokenVerifier(`${secret}-other`);
    expect(await reasonOf(other(token))).toBe('invalid');
    expect(await reasonOf(other(token))).toBe('invalid');
  });
});

/** A token signed with the right secret whose claims the test chooses (none are set unless given). */
async function signedWith(
  claims: Record<string, unknown>,
  { iss = 'mna-gateway', aud = 'mna-services', iat = true, exp = 30, alg = 'HS256' } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(claims).setProtectedHeader({ alg });
  if (iss) jwt = jwt.setIssuer(iss);
  if (aud) jwt = jwt.setAudience(aud);
  if (iat) jwt = jwt.setIssuedAt(now);
  if (exp) jwt = jwt.setExpirationTime(now + exp);
  return jwt.sign(new TextEncoder().encode(secret));
}

describe('what a correctly signed token must also carry', () => {
  it('the gateway as issuer and the services as audience', async () => {
    expect(await verifyInternalToken(await signedWith({ ...principal }), secret)).toMatchObject(principal);
    expect(
      await reasonOf(verifyInternalToken(await signedWith({ ...principal }, { iss: 'evil' }), secret)),
    ).toBe('invalid');
    expect(await reasonOf(verifyInternalToken(await signedWith({ ...principal }, { iss: '' }), secret))).toBe(
      'invalid',
    );
    expect(
      await reasonOf(verifyInternalToken(await signedWith({ ...principal }, { aud: 'mna-other' }), secret)),
    ).toBe('invalid');
    expect(await reasonOf(verifyInternalToken(await signedWith({ ...principal }, { aud: '' }), secret))).toBe(
      'invalid',
    );
  });

  it('HS256 only: the same secret under HS512 is refused', async () => {
    expect(
      await reasonOf(verifyInternalToken(await signedWith({ ...principal }, { alg: 'HS512' }), secret)),
    ).toBe('invalid');
  });

  it('an expiry and an issue time: a token without exp would otherwise be good forever', async () => {
    expect(await reasonOf(verifyInternalToken(await signedWith({ ...principal }, { exp: 0 }), secret))).toBe(
      'invalid',
    );
    expect(
      await reasonOf(verifyInternalToken(await signedWith({ ...principal }, { iat: false }), secret)),
    ).toBe('invalid');
  });

  it('a lifetime of at most 60 seconds: 60 passes, 61 does not', async () => {
    expect(await verifyInternalToken(await signedWith({ ...principal }, { exp: 60 }), secret)).toMatchObject(
      principal,
    );
    expect(await reasonOf(verifyInternalToken(await signedWith({ ...principal }, { exp: 61 }), secret))).toBe(
      'invalid',
    );
    const capped = await signInternalToken(principal, secret, 3600);
    expect(await verifyInternalToken(capped, secret)).toMatchObject(principal);
  });

  it('a principal of the right shape', async () => {
    for (const wrong of [
      { ...principal, tenantId: '' },
      { ...principal, userId: 42 },
      { ...principal, plan: 'platinum' },
      { ...principal, platformAdmin: 'yes' },
      { userId: 'user_1' },
    ]) {
      expect(
        await reasonOf(verifyInternalToken(await signedWith(wrong), secret)),
        JSON.stringify(wrong),
      ).toBe('invalid');
    }
  });

  it('grants nothing by default: no platform admin, no permissions', async () => {
    const verified = await verifyInternalToken(await signedWith({ ...principal }), secret);
    expect(verified.platformAdmin).toBe(false);
    expect(verified.permissions).toEqual([]);
    const roundTrip = await verifyInternalToken(await signInternalToken(principal, secret), secret);
    expect(roundTrip).toEqual({ ...principal, permissions: [], platformAdmin: false });
  });
});

describe('signing', () => {
  it('writes a JWT header, the user as subject, and a lifetime of 1 to 60 whole seconds', async () => {
    const token = await signInternalToken(principal, secret, 2.9);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'user_1', iss: 'mna-gateway', aud: 'mna-services' });
    expect(claims.exp! - claims.iat!).toBe(2);
    for (const [ttl, lifetime] of [
      [0, 1],
      [-5, 1],
      [undefined, 30],
    ] as const) {
      const other = decodeJwt(await signInternalToken(principal, secret, ttl));
      expect(other.exp! - other.iat!, String(ttl)).toBe(lifetime);
    }
  });

  it('imports the HMAC key once per secret', async () => {
    const imports = vi.spyOn(globalThis.crypto.subtle, 'importKey');
    try {
      const fresh = `${secret}-imported-once`;
      const token = await signInternalToken(principal, fresh);
      await verifyInternalToken(token, fresh);
      await signInternalToken(principal, fresh);
      expect(imports).toHaveBeenCalledTimes(1);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('names its failures and the header that carries the token', () => {
    const error = new InternalTokenError('expired');
    expect(error).toMatchObject({
      name: 'InternalTokenError',
      message: 'internal token expired',
      reason: 'expired',
    });
    expect(INTERNAL_TOKEN_HEADER).toBe('x-internal-token');
  });

  it('a remembered token is refused from the second its expiry names', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const verify = createInternalTokenVerifier(secret);
      const token = await signInternalToken(principal, secret, 5);
      await verify(token);
      vi.setSystemTime(decodeJwt(token).exp! * 1000);
      expect(await reasonOf(verify(token))).toBe('expired');
    } finally {
      vi.useRealTimers();
    }
  });
});
