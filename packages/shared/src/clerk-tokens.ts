import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportSPKI, generateKeyPair, SignJWT } from 'jose';

/** An RSA-2048 key pair in the form Clerk's networkless verification takes (`jwtKey` = the PEM). */
export type ClerkKeyPair = { privateKey: CryptoKey; publicKeyPem: string; kid: string };

/** Makes a key pair for development auth and tests. Only RSA-2048 works with Clerk's `jwtKey`. */
export async function generateClerkKeyPair(): Promise<ClerkKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', {
    modulusLength: 2048,
    extractable: true,
  });
  return {
    privateKey,
    publicKeyPem: await exportSPKI(publicKey),
    kid: `ins_dev_${randomUUID().slice(0, 8)}`,
  };
}

export type OrgClaim = {
  id: string;
  /** Role without the `org:` prefix, e.g. `admin`, `member`. */
  rol: string;
  slg: string;
  /** Permissions, comma-separated in the token. */
  per?: string[];
  fpm?: string;
};

export type SessionClaims = {
  userId: string;
  sessionId?: string;
  /** Authorized party: the frontend origin the token was issued to. */
  azp?: string;
  org?: OrgClaim;
  issuer?: string;
  /** Seconds until expiry (negative for an already expired token). */
  expiresInSeconds?: number;
  issuedAt?: number;
  /** Further claims (custom session claims), merged under the standard ones. */
  extraClaims?: Record<string, unknown>;
};

/** Mints a Clerk v2 session token (RS256; `sub`, `sid`, `iat`, `nbf`, `exp`, `azp`, `v: 2`, `o`). */
export async function mintClerkSessionToken(keys: ClerkKeyPair, claims: SessionClaims): Promise<string> {
  const now = claims.issuedAt ?? Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    ...claims.extraClaims,
    sid: claims.sessionId ?? `sess_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    v: 2,
    fva: [0, -1],
  };
  if (claims.azp) payload.azp = claims.azp;
  if (claims.org) {
    payload.o = {
      id: claims.org.id,
      rol: claims.org.rol,
      slg: claims.org.slg,
      ...(claims.org.per ? { per: claims.org.per.join(',') } : {}),
      ...(claims.org.fpm ? { fpm: claims.org.fpm } : {}),
    };
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(claims.issuer ?? 'https://clerk.mna.localhost')
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + (claims.expiresInSeconds ?? 3600))
    .sign(keys.privateKey);
}
