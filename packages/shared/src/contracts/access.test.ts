import { describe, expect, it } from 'vitest';
import { sessionHasRole } from './access.js';
import { ALL_ROUTES, accessTable } from './access-table.js';
import { defineRoute } from './route.js';
import { webhookRoutes } from './webhooks.js';

const ruleOf = (method: string, path: string) =>
  accessTable().find((r) => r.method === method && r.path === path)?.access;

describe('the permission table', () => {
  it('has one rule for every routed, non-public route, and machine scopes only where machines may call', () => {
    const routed = ALL_ROUTES.filter((r) => r.auth !== 'public' && r.auth !== 'internal');
    const table = accessTable();
    expect(table).toHaveLength(routed.length);
    for (const route of routed) {
      const rule = ruleOf(route.method, route.path);
      expect(rule, `${route.method} ${route.path}`).toBeDefined();
      if (route.auth === 'session-or-machine') expect(rule!.scope, route.path).toBeDefined();
    }
  });

  it('keeps webhook endpoint changes, checkout, portal and plan changes to organisation admins', () => {
    const adminOnly: Array<readonly [string, string]> = [
      webhookRoutes.createEndpoint,
      webhookRoutes.updateEndpoint,
      webhookRoutes.deleteEndpoint,
      webhookRoutes.rotateSecret,
      webhookRoutes.recover,
    ].map((r) => [r.method, r.path] as const);
    adminOnly.push(['POST', '/v1/billing/checkout'], ['POST', '/v1/billing/portal']);
    adminOnly.push(['POST', '/v1/billing/subscription/change']);
    for (const [method, path] of adminOnly) expect(ruleOf(method, path)?.role, path).toBe('admin');
    expect(ruleOf('GET', '/v1/webhooks/endpoints')?.role).toBe('member');
    expect(ruleOf('POST', '/v1/documents')).toEqual({ role: 'member', scope: 'documents:write' });
    expect(ruleOf('POST', '/v1/search')).toEqual({ role: 'member', scope: 'search:read' });
    expect(ruleOf('GET', '/v1/billing/admin/webhooks/dead-letters')?.role).toBe('platform-admin');
  });

  it('refuses a routed route that declares no rule, or a machine scope on a session-only route', () => {
    const open = defineRoute({ method: 'GET', path: '/v1/x', summary: 'x', auth: 'session', response: {} });
    expect(() => accessTable([open])).toThrow(/declares no access rule/);
    const mixed = defineRoute({
      method: 'GET',
      path: '/v1/y',
      summary: 'y',
      auth: 'session',
      access: { role: 'member', scope: 'search:read' },
      response: {},
    });
    expect(() => accessTable([mixed])).toThrow(/session-only/);
  });
});

describe('sessionHasRole', () => {
  const session = (orgId: string | null, orgRole: string | null, platformAdmin = false) => ({
    orgId,
    orgRole,
    platformAdmin,
  });

  it('reads Clerk’s org: prefix, treats a personal workspace’s owner as admin, and platform admins apart', () => {
    expect(sessionHasRole('admin', session('org_a', 'org:admin'))).toBe(true);
    expect(sessionHasRole('admin', session('org_a', 'admin'))).toBe(true);
    expect(sessionHasRole('admin', session('org_a', 'org:member'))).toBe(false);
    expect(sessionHasRole('admin', session('org_a', null))).toBe(false);
    expect(sessionHasRole('admin', session(null, null))).toBe(true);
    expect(sessionHasRole('member', session('org_a', 'org:viewer'))).toBe(true);
    expect(sessionHasRole('platform-admin', session('org_a', 'org:admin'))).toBe(false);
    expect(sessionHasRole('platform-admin', session('org_a', 'org:member', true))).toBe(true);
  });
});
