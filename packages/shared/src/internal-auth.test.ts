import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { InternalTokenError, signInternalToken, verifyInternalToken } from './internal-auth.js';

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
