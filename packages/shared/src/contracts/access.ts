import { z } from 'zod';

/** What a machine (Clerk M2M) token may do; set in its custom claim `mna_scopes` when it is created. */
export const SCOPES = [
  'documents:read',
  'documents:write',
  'search:read',
  'companies:read',
  'companies:write',
  'analyses:read',
  'analyses:write',
  'billing:read',
  'mcp',
] as const;
export const ScopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof ScopeSchema>;

/** The custom claim of a Clerk machine token that lists its scopes (array or space-separated). */
export const MACHINE_SCOPES_CLAIM = 'mna_scopes';

/**
 * A custom session-token claim with the organisation's member count, for the seat check. Clerk's
 * session token does not carry it by default: add it under Sessions → Customize session token.
 */
export const ORG_MEMBERS_CLAIM = 'mna_org_members';

/**
 * The least role a session needs: any organisation `member`, an organisation `admin` (the owner of a
 * personal workspace counts as its admin), or a `platform-admin` (PLATFORM_ADMIN_USER_IDS).
 */
export const ROLES = ['member', 'admin', 'platform-admin'] as const;
export type AccessRole = (typeof ROLES)[number];

/** Who may call a route: one rule per route, declared on its contract, enforced by the gateway. */
export type RouteAccess = {
  role: AccessRole;
  /** The scope a machine token must carry; routes without one refuse machine tokens. */
  scope?: Scope;
  /** Reachable without a paying subscription (the routes that let a tenant subscribe). */
  unpaid?: true;
};

/** Clerk writes organisation roles as `org:<key>`; development and older tokens may omit the prefix. */
const roleKey = (orgRole: string | null) => (orgRole ?? '').replace(/^org:/, '');

/** Whether a session with this organisation role (null: personal workspace) has at least `role`. */
export function sessionHasRole(
  role: AccessRole,
  session: { orgId: string | null; orgRole: string | null; platformAdmin: boolean },
): boolean {
  if (role === 'platform-admin') return session.platformAdmin;
  if (role === 'member') return true;
  return session.orgId === null || roleKey(session.orgRole) === 'admin';
}

/** The problem detail of a refused call, naming what it needs. */
export function accessRequirement(access: RouteAccess, machine: boolean): string {
  if (machine) return access.scope ? `a machine token with the scope ${access.scope}` : 'a user session';
  if (access.role === 'platform-admin') return 'a platform administrator';
  return access.role === 'admin' ? 'the organisation role admin' : 'organisation membership';
}
