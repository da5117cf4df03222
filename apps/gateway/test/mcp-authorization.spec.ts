import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frontendApiUrlOf } from '../src/auth/protected-resource.js';
import {
  bearer,
  closeUpstreams,
  type Gateway,
  sessionToken,
  startGateway,
  startUpstreams,
  type Upstreams,
} from './harness.js';

const ISSUER = 'https://clerk.mna.test';
const PUBLIC = 'https://api.mna.test';
let upstreams: Upstreams;
let gw: Gateway;

beforeAll(async () => {
  upstreams = await startUpstreams({ org_m: 'enterprise' });
  gw = await startGateway(upstreams, { env: { CLERK_ISSUER_URL: ISSUER, PUBLIC_URL: PUBLIC } });
});
afterAll(async () => {
  await gw.close();
  await closeUpstreams(upstreams);
});

/** An RFC 9068 access token as Clerk's OAuth server signs it (`typ: at+jwt`), for `audience`. */
async function oauthAccessToken(g: Gateway, audience: string) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: 'client_inspector', scope: 'profile email', jti: `oat_${now}` })
    .setProtectedHeader({ alg: 'RS256', kid: g.keys.kid, typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setSubject('user_oauth')
    .setAudience(audience)
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + 600)
    .sign(g.keys.privateKey);
}

const rpc = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };

describe('MCP authorization discovery (RFC 9728)', () => {
  it('serves the protected-resource metadata of the API and, path-suffixed, of /v1/mcp, naming Clerk', async () => {
    const api = await gw.app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource' });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({
      resource: PUBLIC,
      authorization_servers: [ISSUER],
      bearer_methods_supported: ['header'],
    });
    const mcp = await gw.app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/v1/mcp' });
    expect(mcp.statusCode).toBe(200);
    expect(mcp.json()).toMatchObject({ resource: `${PUBLIC}/v1/mcp`, authorization_servers: [ISSUER] });
  });

  it('lets a browser client on any origin read it (no credentials)', async () => {
    const res = await gw.app.inject({
      method: 'OPTIONS',
      url: '/.well-known/oauth-protected-resource/v1/mcp',
      headers: {
        origin: 'http://localhost:6274',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'mcp-protocol-version',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('answers 401 on /v1/mcp with a challenge pointing at the MCP metadata, and on the API at the root one', async () => {
    const mcp = await gw.app.inject({ method: 'POST', url: '/v1/mcp', payload: rpc });
    expect(mcp.statusCode).toBe(401);
    expect(mcp.headers['www-authenticate']).toBe(
      `Bearer resource_metadata="${PUBLIC}/.well-known/oauth-protected-resource/v1/mcp"`,
    );
    const bad = await gw.app.inject({
      method: 'POST',
      url: '/v1/mcp',
      payload: rpc,
      headers: bearer('x.y.z'),
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toBe(
      `Bearer error="invalid_token", resource_metadata="${PUBLIC}/.well-known/oauth-protected-resource/v1/mcp"`,
    );
    const api = await gw.app.inject({ method: 'GET', url: '/v1/billing/subscription' });
    expect(api.statusCode).toBe(401);
    expect(api.headers['www-authenticate']).toBe(
      `Bearer resource_metadata="${PUBLIC}/.well-known/oauth-protected-resource"`,
    );
  });

  it('still accepts a pasted bearer token on /v1/mcp', async () => {
    const token = await sessionToken(gw.keys, 'org_m');
    const res = await gw.app.inject({ method: 'POST', url: '/v1/mcp', payload: rpc, headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    expect(res.json().result).toEqual({ tenant: 'org_m' });
  });

  it('accepts a Clerk OAuth access token issued for /v1/mcp there, and nowhere else', async () => {
    const oauth = (audience: string) => oauthAccessToken(gw, audience);
    const ok = await gw.app.inject({
      method: 'POST',
      url: '/v1/mcp',
      payload: rpc,
      headers: bearer(await oauth(`${PUBLIC}/v1/mcp`)),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().result).toEqual({ tenant: 'user_oauth' });
    const otherAudience = await gw.app.inject({
      method: 'POST',
      url: '/v1/mcp',
      payload: rpc,
      headers: bearer(await oauth('https://elsewhere.test/v1/mcp')),
    });
    expect(otherAudience.statusCode).toBe(401);
    expect(otherAudience.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    const rest = await gw.app.inject({
      method: 'GET',
      url: '/v1/billing/subscription',
      headers: bearer(await oauth(`${PUBLIC}/v1/mcp`)),
    });
    expect(rest.statusCode).toBe(401);
  });

  it('reads Clerk’s Frontend API from a publishable key', () => {
    const key = `pk_test_${Buffer.from('clerk.example.com$').toString('base64')}`;
    expect(frontendApiUrlOf(key)).toBe('https://clerk.example.com');
    expect(frontendApiUrlOf('sk_test_x')).toBeUndefined();
  });
});

describe('without PUBLIC_URL or CLERK_ISSUER_URL', () => {
  it('uses the request’s origin and the issuer of the publishable key', async () => {
    const key = `pk_live_${Buffer.from('clerk.acme.dev$').toString('base64')}`;
    const other = await startGateway(upstreams, { env: { CLERK_PUBLISHABLE_KEY: key } });
    try {
      const res = await other.app.inject({
        method: 'GET',
        url: '/.well-known/oauth-protected-resource/v1/mcp',
        headers: { host: 'gw.local:8080' },
      });
      expect(res.json()).toMatchObject({
        resource: 'http://gw.local:8080/v1/mcp',
        authorization_servers: ['https://clerk.acme.dev'],
      });
    } finally {
      await other.close();
    }
  });
});
