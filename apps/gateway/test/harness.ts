import type { AddressInfo } from 'node:net';
import {
  type ClerkKeyPair,
  createLogger,
  createMetrics,
  generateClerkKeyPair,
  loadConfig,
  MACHINE_SCOPES_CLAIM,
  mintClerkSessionToken,
  type Scope,
} from '@mna/shared';
import { createMetricsServer } from '@mna/shared/kit';
import {
  createLogCapture,
  deleteKeysWithPrefix,
  TEST_INTERNAL_SECRET,
  TEST_REDIS_URL,
  uniquePrefix,
} from '@mna/testing';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { buildApp } from '../src/app.js';
import { resolveAuth } from '../src/auth/auth-settings.js';
import { configSpec } from '../src/config.js';
import { type StandIn, type StandInPlan, startAi, startBilling, startSearch } from './stand-ins.js';

export const APP_ORIGIN = 'https://app.mna.test';

/** A production environment's addresses and secret, for configuration checks (nothing listens there). */
export const PRODUCTION_BASE_ENV = {
  NODE_ENV: 'production',
  INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
  REDIS_URL: 'redis://r:6379',
  SEARCH_SERVICE_URL: 'http://s',
  AI_SERVICE_URL: 'http://a',
  BILLING_SERVICE_URL: 'http://b',
};

export type Upstreams = { search: StandIn; ai: StandIn; billing: StandIn };

export async function startUpstreams(plans: Record<string, StandInPlan> = {}): Promise<Upstreams> {
  const [search, ai, billing] = await Promise.all([startSearch(), startAi(), startBilling(plans)]);
  return { search, ai, billing };
}

export const closeUpstreams = async (u: Upstreams) => {
  await Promise.all([u.search.app.close(), u.ai.app.close(), u.billing.app.close()]);
};

export type GatewayOptions = {
  env?: Record<string, string>;
  keys?: ClerkKeyPair;
  prefix?: string;
  /** Another Redis client (e.g. one pointed at a port nothing listens on); closed with the gateway. */
  redis?: Redis;
};

/** A gateway wired to the stand-ins, a real Redis under a unique prefix, and a Clerk key pair. */
export async function startGateway(upstreams: Upstreams, options: GatewayOptions = {}) {
  const keys = options.keys ?? (await generateClerkKeyPair());
  const prefix = options.prefix ?? uniquePrefix('gw');
  const config = loadConfig(configSpec, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    INTERNAL_TOKEN_SECRET: TEST_INTERNAL_SECRET,
    SEARCH_SERVICE_URL: upstreams.search.url,
    AI_SERVICE_URL: upstreams.ai.url,
    BILLING_SERVICE_URL: upstreams.billing.url,
    CLERK_JWT_KEY: keys.publicKeyPem,
    CLERK_AUTHORIZED_PARTIES: APP_ORIGIN,
    CORS_ORIGINS: APP_ORIGIN,
    // Other engineers load this 2-core machine too; a stalled test worker must not shed our requests.
    MAX_EVENT_LOOP_DELAY_MS: '10000',
    ...options.env,
  });
  const capture = createLogCapture();
  const logger = createLogger({ service: 'gateway', level: 'info', destination: capture.stream });
  const redis = options.redis ?? new Redis(TEST_REDIS_URL);
  const auth = await resolveAuth(config);
  const metrics = createMetrics('gateway');
  const app = await buildApp({ config, logger, metrics, redis, auth: auth.verifier });
  await app.ready();
  // What main.ts does: /metrics on its own private listener, never on the app's port.
  const metricsServer = createMetricsServer(metrics.registry);
  await new Promise<void>((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
  const metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}/metrics`;
  return {
    app,
    keys,
    logs: capture.lines,
    prefix,
    metricsUrl,
    /** GET /metrics from the private metrics listener. */
    scrape: async () => {
      const res = await fetch(metricsUrl);
      return { statusCode: res.status, body: await res.text() };
    },
    close: async () => {
      await new Promise((resolve) => metricsServer.close(resolve));
      await app.close();
      await deleteKeysWithPrefix(prefix);
      redis.disconnect();
    },
  };
}

export type Gateway = Awaited<ReturnType<typeof startGateway>>;

/** A valid session token for an org (or none: the personal workspace). */
export const sessionToken = (keys: ClerkKeyPair, org?: string, role = 'admin', userId = 'user_1') =>
  mintClerkSessionToken(keys, {
    userId,
    azp: APP_ORIGIN,
    ...(org ? { org: { id: org, rol: role, slg: org } } : {}),
  });

/** A Clerk M2M JWT (`sub` = `mch_…`) carrying a tenant claim and its scopes (custom claim `mna_scopes`). */
export async function machineToken(
  keys: ClerkKeyPair,
  tenantId: string,
  scopes: Scope[] = ['documents:read'],
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: `mt_${now}`, tenant_id: tenantId, [MACHINE_SCOPES_CLAIM]: scopes })
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
    .setSubject('mch_integration')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(keys.privateKey);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
