/**
 * `pnpm run token --org org_acme --role admin --plan growth [--user user_x] [--hours 24] [--azp https://app]`
 * (`run` matters: plain `pnpm token` is passed through to npm's own `token` command).
 * Mints a development session token with the key pair the development gateway verifies with
 * (DEV_AUTH_KEY_FILE, default <repo>/.dev/clerk-dev-keys.json). `--plan` sets the `mna_dev_plan`
 * claim, which the gateway honours only while Clerk is not configured. Omit --org for a personal workspace.
 */
import { parseArgs } from 'node:util';
import { loadConfigOrExit, mintClerkSessionToken, PlanIdSchema } from '@mna/shared';
import { DEV_ISSUER, DEV_PLAN_CLAIM, loadOrCreateDevKeys } from '../src/auth/dev-keys.js';
import { configSpec, usesDevAuth } from '../src/config.js';

const { values } = parseArgs({
  options: {
    org: { type: 'string' },
    role: { type: 'string', default: 'admin' },
    plan: { type: 'string', default: 'growth' },
    user: { type: 'string', default: 'user_demo' },
    hours: { type: 'string', default: '24' },
    azp: { type: 'string' },
  },
});

const config = loadConfigOrExit(configSpec, process.env);
if (!usesDevAuth(config)) {
  process.stderr.write(
    'Clerk is configured (CLERK_JWT_KEY/CLERK_SECRET_KEY): mint tokens with Clerk instead.\n',
  );
  process.exit(1);
}
const plan = PlanIdSchema.safeParse(values.plan);
if (!plan.success) {
  process.stderr.write(`--plan must be one of ${PlanIdSchema.options.join(', ')}\n`);
  process.exit(1);
}
const keys = await loadOrCreateDevKeys(config.DEV_AUTH_KEY_FILE);
const azp = values.azp ?? config.CLERK_AUTHORIZED_PARTIES[0];
const token = await mintClerkSessionToken(keys, {
  userId: values.user,
  issuer: DEV_ISSUER,
  expiresInSeconds: Math.round(Number(values.hours) * 3600),
  extraClaims: { [DEV_PLAN_CLAIM]: plan.data },
  ...(values.org ? { org: { id: values.org, rol: values.role, slg: values.org } } : {}),
  ...(azp ? { azp } : {}),
});
process.stdout.write(`${token}\n`);
