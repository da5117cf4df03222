import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeUpstreams, type Gateway, startGateway, startUpstreams, type Upstreams } from './harness.js';

/** The public API table of DESIGN.md, the specification this document must cover. */
const DESIGN_ROUTES = [
  'post /v1/documents',
  'post /v1/documents/bulk',
  'get /v1/documents/{id}',
  'delete /v1/documents/{id}',
  'post /v1/search',
  'post /v1/companies',
  'get /v1/companies/{id}',
  'get /v1/companies',
  'post /v1/relationships',
  'get /v1/companies/{id}/relationships',
  'get /v1/companies/{id}/similar',
  'post /v1/ai/deals/analyze',
  'post /v1/ai/partners/find',
  'get /v1/ai/companies/{id}/influence',
  'post /v1/mcp',
  'get /v1/mcp',
  'delete /v1/mcp',
  'get /v1/billing/plans',
  'post /v1/billing/checkout',
  'post /v1/billing/portal',
  'get /v1/billing/subscription',
  'get /v1/billing/analytics',
  'post /webhooks/stripe',
];

let upstreams: Upstreams;
let gw: Gateway;
type Op = {
  security: unknown[];
  responses: Record<string, unknown>;
  'x-auth': string;
  'x-feature'?: string;
  'x-permission'?: { role: string; scope: string | null; requiresSubscription: boolean };
  'x-quota'?: string;
};
let doc: { openapi: string; paths: Record<string, Record<string, Op>> };

beforeAll(async () => {
  upstreams = await startUpstreams();
  gw = await startGateway(upstreams);
  doc = (await gw.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
});
afterAll(async () => {
  await gw.close();
  await closeUpstreams(upstreams);
});

describe('OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lists every route of DESIGN.md’s table with its auth and error responses, and no internal route', () => {
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    for (const route of DESIGN_ROUTES) expect(listed, route).toContain(route);
    expect(listed.filter((r) => r.includes('/internal/'))).toEqual([]);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method} ${path}`;
        expect(op.responses['404'], name).toBeDefined();
        expect(op.responses['503'], name).toBeDefined();
        if (op['x-auth'] === 'public') {
          expect(op.security, name).toEqual([]);
        } else {
          expect(op.security, name).toEqual([{ bearerAuth: [] }]);
          expect(op.responses['401'], name).toBeDefined();
        }
      }
    }
    expect(doc.paths['/v1/mcp']?.post?.['x-feature']).toBeUndefined();
    expect(doc.paths['/v1/billing/checkout']?.post?.['x-auth']).toBe('session');
    expect(doc.paths['/webhooks/stripe']?.post?.['x-auth']).toBe('public');
  });

  it('lists who may call each operation (role, machine scope, subscription) and its 402/403 answers', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method} ${path}`;
        if (op['x-auth'] === 'public') {
          expect(op['x-permission'], name).toBeUndefined();
          continue;
        }
        expect(op['x-permission'], name).toBeDefined();
        expect(op.responses['403'], name).toBeDefined();
        expect(Boolean(op.responses['402']), name).toBe(op['x-permission']!.requiresSubscription);
        // Machines only where a scope says what they may do; session-only routes name none.
        if (op['x-auth'] === 'session') expect(op['x-permission']!.scope, name).toBeNull();
        else expect(op['x-permission']!.scope, name).toMatch(/^[a-z]+(:[a-z]+)?$/);
      }
    }
    const perm = (path: string, method: string) => doc.paths[path]?.[method]?.['x-permission'];
    expect(perm('/v1/webhooks/endpoints', 'post')).toEqual({
      role: 'admin',
      scope: null,
      requiresSubscription: true,
    });
    expect(perm('/v1/webhooks/endpoints', 'get')?.role).toBe('member');
    expect(perm('/v1/webhooks/endpoints/{id}/rotate-secret', 'post')?.role).toBe('admin');
    expect(perm('/v1/billing/checkout', 'post')).toEqual({
      role: 'admin',
      scope: null,
      requiresSubscription: false,
    });
    expect(perm('/v1/billing/admin/webhooks/replay', 'post')?.role).toBe('platform-admin');
    expect(perm('/v1/documents', 'post')).toEqual({
      role: 'member',
      scope: 'documents:write',
      requiresSubscription: true,
    });
    expect(perm('/v1/search', 'post')?.scope).toBe('search:read');
    expect(perm('/v1/mcp', 'get')?.scope).toBe('mcp');
    expect(doc.paths['/v1/ai/deals/analyze']?.post?.['x-quota']).toBe('aiAnalysesPerMonth');
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await gw.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    // The UI gets its own CSP (its scripts), while API responses keep default-src 'none'.
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });
});
