import { z } from 'zod';

/** Thrown by loadConfig with every problem found, so an operator fixes them all in one go. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(service: string, problems: string[]) {
    super(`${service}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

export type ConfigSpec<S extends z.ZodObject> = {
  service: string;
  schema: S;
  /**
   * Variables whose development default must not be used in production: with NODE_ENV=production each
   * one must be set explicitly (development auth keys, the local embedder or analyst, dev secrets).
   */
  productionRequires?: ReadonlyArray<keyof z.input<S> & string>;
};

/**
 * Parses the environment once, in `main`. Reports every missing or invalid variable together and
 * returns a frozen object; nothing else in a service reads process.env.
 */
export function loadConfig<S extends z.ZodObject>(spec: ConfigSpec<S>, source: Env): Readonly<z.output<S>> {
  const problems: string[] = [];
  const result = spec.schema.safeParse(source);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.map(String).join('.');
      const missing = issue.code === 'invalid_type' && source[key] === undefined;
      problems.push(missing ? `${key} is required but not set` : `${key}: ${issue.message}`);
    }
  }
  if (source.NODE_ENV === 'production') {
    for (const key of spec.productionRequires ?? []) {
      if (!source[key]) {
        problems.push(`${key} must be set in production (its development default is refused)`);
      }
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(spec.service, problems);
  return Object.freeze(result.data);
}

/** Prints a ConfigError without a stack trace and exits non-zero; rethrows anything else. */
export function loadConfigOrExit<S extends z.ZodObject>(
  spec: ConfigSpec<S>,
  source: Env,
): Readonly<z.output<S>> {
  try {
    return loadConfig(spec, source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
// An empty value (`OPENAI_API_KEY=` in a .env file) means unset, not invalid.
const optionalSecret = z
  .string()
  .optional()
  .transform((v) => v || undefined);

/**
 * A service's base URL. Render wires private services as a bare `host:port` (fromService `hostport`);
 * internal traffic is plain HTTP on the private network, so such a value gets an `http://` scheme.
 */
const serviceUrl = (fallback: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^[a-z0-9.-]+:\d+$/i.test(v) ? `http://${v}` : v),
    z.url().default(fallback),
  );

/** Shared fragments each service composes into its own schema. */
export const envFragments = {
  base: (defaultPort: number) => ({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HOST: z.string().default('0.0.0.0'),
    PORT: port(defaultPort),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(10_000),
    // How long runService keeps serving with readiness 503 before it closes (part of the grace above):
    // longer than the load balancer's health-check interval, so it stops routing here first.
    SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(1_000),
  }),
  database: {
    DATABASE_URL: z.url().default('postgres://mna_app:mna_app@127.0.0.1:5432/mna'),
    MIGRATION_DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/mna'),
    DATABASE_POOL_MAX: z.coerce.number().int().positive().default(10),
  },
  redis: {
    REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
    REDIS_PREFIX: z.string().default('mna'),
  },
  internalAuth: {
    INTERNAL_TOKEN_SECRET: z
      .string()
      .min(32, 'must be at least 32 characters')
      .default('dev-internal-token-secret-change-me-in-production'),
  },
  services: {
    SEARCH_SERVICE_URL: serviceUrl('http://127.0.0.1:3001'),
    AI_SERVICE_URL: serviceUrl('http://127.0.0.1:3002'),
    BILLING_SERVICE_URL: serviceUrl('http://127.0.0.1:3003'),
  },
  optionalSecret,
} as const;
