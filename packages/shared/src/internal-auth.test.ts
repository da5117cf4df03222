import { SignJWT } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import {
  createInternalTokenVerifier,
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
