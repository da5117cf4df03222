import { generateClerkKeyPair, mintClerkSessionToken } from '@mna/shared';
import { describe, expect, it } from 'vitest';
import { devPublishableKey } from './dev-keys.js';
import { createTokenVerifier } from './token-verifier.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('token verifier', async () => {
  const keys = await generateClerkKeyPair();
  const verifier = () =>
    createTokenVerifier({
      publishableKey: devPublishableKey(),
      jwtKey: keys.publicKeyPem,
      authorizedParties: [],
      devMode: false,
      maxEntries: 3,
      opaqueCacheMs: 10_000,
    });

  it('verifies once and serves repeats from the cache', async () => {
    const v = verifier();
    const token = await mintClerkSessionToken(keys, {
      userId: 'user_1',
      org: { id: 'org_a', rol: 'admin', slg: 'a' },
    });
    const first = await v.verify(token);
    const second = await v.verify(token);
    expect(second).toEqual(first);
    expect(first).toMatchObject({ kind: 'session', userId: 'user_1', orgId: 'org_a', orgRole: 'org:admin' });
    expect(v.stats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
  });

  it('never serves a cached token past its expiry, and stays within its size bound', async () => {
    const v = verifier();
    const token = await mintClerkSessionToken(keys, { userId: 'user_2', expiresInSeconds: 1 });
    expect(await v.verify(token)).not.toBeNull();
    await sleep(1_100);
    await v.verify(token); // Clerk's own clock skew may still accept it, but only after verifying again
    expect(v.stats()).toMatchObject({ hits: 0, misses: 2 });
    for (let i = 0; i < 5; i++) await v.verify(await mintClerkSessionToken(keys, { userId: `user_${i}` }));
    expect(v.stats().size).toBeLessThanOrEqual(3);
  });

  it('does not cache failures', async () => {
    const v = verifier();
    expect(await v.verify('a.b.c')).toBeNull();
    expect(await v.verify('a.b.c')).toBeNull();
    expect(v.stats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
  });
});
