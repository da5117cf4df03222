import { type PrincipalInput, signInternalToken } from '@mna/shared';

export {
  type ClerkKeyPair,
  generateClerkKeyPair,
  mintClerkSessionToken,
  type OrgClaim,
  type SessionClaims,
} from '@mna/shared';

export const TEST_INTERNAL_SECRET = 'test-internal-token-secret-0123456789abcdef';

/** A principal with sensible defaults, for calling a service directly as the gateway would. */
export const testPrincipal = (overrides: Partial<PrincipalInput> = {}): PrincipalInput => ({
  tenantId: 'org_test_a',
  userId: 'user_test_1',
  orgRole: 'org:admin',
  plan: 'growth',
  requestId: `req-${Math.random().toString(36).slice(2, 12)}`,
  ...overrides,
});

/** Headers carrying a valid internal token for `principal`. */
export async function internalHeaders(
  principal: Partial<PrincipalInput> = {},
  secret = TEST_INTERNAL_SECRET,
): Promise<Record<string, string>> {
  return { 'x-internal-token': await signInternalToken(testPrincipal(principal), secret) };
}
