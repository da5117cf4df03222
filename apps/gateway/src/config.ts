import { envFragments } from '@mna/shared';
import { z } from 'zod';
import { defaultDevKeyFile } from './auth/dev-keys.js';

const list = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const bytes = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `true`/`false`, a hop count, or a comma list of trusted proxy addresses/CIDRs (Fastify's trustProxy). */
const trustProxy = z
  .string()
  .default('false')
  .transform((v): boolean | number | string => {
    if (v === 'true') return true;
    if (v === 'false' || v === '') return false;
    if (/^\d+$/.test(v)) return Number(v);
    return v;
  });

export const configSpec = {
  service: 'gateway',
  schema: z
    .object({
      ...envFragments.base(3000),
      ...envFragments.redis,
      ...envFragments.internalAuth,
      ...envFragments.services,
      /** Clerk: networkless verification with CLERK_JWT_KEY (PEM), else Clerk's JWKS via the secret key. */
      CLERK_SECRET_KEY: envFragments.optionalSecret,
      CLERK_JWT_KEY: envFragments.optionalSecret,
      CLERK_PUBLISHABLE_KEY: envFragments.optionalSecret,
      CLERK_MACHINE_SECRET_KEY: envFragments.optionalSecret,
      /** Clerk's Backend API (Clerk's SDK default when unset): only opaque `mt_` machine tokens need it. */
      CLERK_API_URL: z.string().url().optional(),
      /**
       * Clerk's Frontend API URL (the tokens' `iss`, Clerk's OAuth server), named to MCP clients in
       * /.well-known/oauth-protected-resource; unset: read from CLERK_PUBLISHABLE_KEY.
       */
      CLERK_ISSUER_URL: z.string().url().optional(),
      /** The gateway's public origin (e.g. https://api.mna.dev); unset: each request's own. */
      PUBLIC_URL: z.string().url().optional(),
      /** Frontend origins whose session tokens are accepted (`azp`); empty disables the check. */
      CLERK_AUTHORIZED_PARTIES: list,
      /** Development auth key pair, shared by the running gateway and `pnpm token`. */
      DEV_AUTH_KEY_FILE: z.string().default(defaultDevKeyFile()),
      AUTH_CACHE_MAX_ENTRIES: z.coerce.number().int().positive().default(50_000),
      /** A verified opaque `mt_` token is trusted this long before Clerk is asked again. */
      AUTH_OPAQUE_CACHE_MS: ms(10_000),
      /** One signed internal token per principal is reused this long (it lives INTERNAL_TOKEN_TTL_S). */
      INTERNAL_TOKEN_REUSE_MS: ms(10_000),
      INTERNAL_TOKEN_TTL_S: z.coerce.number().int().min(5).max(60).default(30),
      PLATFORM_ADMIN_USER_IDS: list,
      ENTITLEMENTS_CACHE_MS: ms(30_000),
      ENTITLEMENTS_TIMEOUT_MS: ms(1_000),
      /** Browser origins allowed by CORS (credentials); required in production, local frontends added elsewhere. */
      CORS_ORIGINS: list,
      TRUST_PROXY: trustProxy,
      RATE_LIMIT_WINDOW_MS: ms(60_000),
      /** Budget per client IP per window for unauthenticated (public) routes. */
      RATE_LIMIT_PUBLIC_PER_WINDOW: z.coerce.number().int().positive().default(60),
      SEARCH_TIMEOUT_MS: ms(10_000),
      AI_TIMEOUT_MS: ms(60_000),
      BILLING_TIMEOUT_MS: ms(10_000),
      /** MCP's GET opens a server-sent event stream; it may stay idle this long. */
      MCP_STREAM_TIMEOUT_MS: ms(300_000),
      /**
       * Port of the private /metrics listener (never the public PORT); Render's private network reaches
       * it. Unset: 9464 in production, else a free port (logged), so local gateways never collide.
       */
      METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
      /** Listen backlog for bursts of new client connections (the kernel caps it at somaxconn). */
      LISTEN_BACKLOG: z.coerce.number().int().positive().default(4_096),
      UPSTREAM_CONNECTIONS: z.coerce.number().int().positive().default(128),
      CIRCUIT_FAILURE_THRESHOLD: z.coerce.number().int().positive().default(5),
      CIRCUIT_COOLDOWN_MS: ms(10_000),
      /** The largest share of the failure threshold one tenant's failed requests count for. */
      CIRCUIT_TENANT_SHARE: z.coerce.number().positive().max(1).default(0.5),
      BODY_LIMIT_BYTES: bytes(1_048_576),
      DOCUMENT_BODY_LIMIT_BYTES: bytes(10 * 1_048_576),
      BULK_BODY_LIMIT_BYTES: bytes(64 * 1_048_576),
      WEBHOOK_BODY_LIMIT_BYTES: bytes(512 * 1024),
      MAX_EVENT_LOOP_DELAY_MS: ms(1_000),
      MAX_HEAP_USED_BYTES: bytes(1_536 * 1_048_576),
      /** Off unless set: a saturated but healthy loop sits near 1, and shedding it would only add 5xx. */
      MAX_EVENT_LOOP_UTILIZATION: z.coerce.number().positive().max(1).optional(),
    })
    .superRefine((env, ctx) => {
      if (env.INTERNAL_TOKEN_REUSE_MS > (env.INTERNAL_TOKEN_TTL_S - 5) * 1000) {
        ctx.addIssue({
          code: 'custom',
          path: ['INTERNAL_TOKEN_REUSE_MS'],
          message: 'must leave at least 5 s of INTERNAL_TOKEN_TTL_S for the hop to the service',
        });
      }
      if (env.NODE_ENV !== 'production') return;
      if (!env.CLERK_JWT_KEY && !env.CLERK_SECRET_KEY) {
        ctx.addIssue({
          code: 'custom',
          path: ['CLERK_JWT_KEY'],
          message: 'set CLERK_JWT_KEY or CLERK_SECRET_KEY in production (development auth is refused)',
        });
      }
      if (env.CORS_ORIGINS.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['CORS_ORIGINS'],
          message: 'must list the frontend origins in production (comma-separated, e.g. https://app.mna.dev)',
        });
      }
      if (!env.CLERK_PUBLISHABLE_KEY) {
        ctx.addIssue({
          code: 'custom',
          path: ['CLERK_PUBLISHABLE_KEY'],
          message: 'must be set in production',
        });
      }
    }),
  productionRequires: [
    'INTERNAL_TOKEN_SECRET',
    'REDIS_URL',
    'SEARCH_SERVICE_URL',
    'AI_SERVICE_URL',
    'BILLING_SERVICE_URL',
  ],
} as const;

export type GatewayConfig = z.output<typeof configSpec.schema>;

/** True when Clerk settings are absent: development auth (a local key pair) applies. */
export const usesDevAuth = (config: GatewayConfig): boolean =>
  !config.CLERK_JWT_KEY && !config.CLERK_SECRET_KEY;

/** Where /metrics listens: METRICS_PORT, else 9464 in production and a free port elsewhere. */
export const metricsPort = (config: GatewayConfig): number =>
  config.METRICS_PORT ?? (config.NODE_ENV === 'production' ? 9464 : 0);
