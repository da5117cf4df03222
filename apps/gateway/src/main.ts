import { createLogger, createMetrics, loadConfigOrExit, mintClerkSessionToken } from '@mna/shared';
import { createMetricsServer, createRedis, runService } from '@mna/shared/kit';
import { buildApp } from './app.js';
import { resolveAuth } from './auth/auth-settings.js';
import { DEV_ISSUER, DEV_PLAN_CLAIM } from './auth/dev-keys.js';
import { configSpec, metricsPort } from './config.js';

const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: configSpec.service, level: config.LOG_LEVEL });
const metrics = createMetrics(configSpec.service);
const redis = createRedis(config.REDIS_URL);
const auth = await resolveAuth(config);
const app = await buildApp({ config, logger, metrics, redis, auth: auth.verifier });
const metricsServer = createMetricsServer(metrics.registry);
await new Promise<void>((resolve, reject) => {
  metricsServer.once('error', reject);
  metricsServer.listen(metricsPort(config), config.HOST, resolve);
});
logger.info({ address: metricsServer.address() }, 'metrics listening (private port, GET /metrics)');

await runService({
  app,
  host: config.HOST,
  port: config.PORT,
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  drainMs: config.SHUTDOWN_DRAIN_MS,
  backlog: config.LISTEN_BACKLOG,
  closers: [
    { name: 'metrics', close: () => new Promise((resolve) => metricsServer.close(resolve)) },
    { name: 'redis', close: () => redis.quit() },
  ],
});

if (auth.devKeys) {
  const token = await mintClerkSessionToken(auth.devKeys, {
    userId: 'user_demo',
    issuer: DEV_ISSUER,
    expiresInSeconds: 24 * 3600,
    org: { id: 'org_demo', rol: 'admin', slg: 'demo' },
    extraClaims: { [DEV_PLAN_CLAIM]: 'growth' },
    ...(config.CLERK_AUTHORIZED_PARTIES[0] ? { azp: config.CLERK_AUTHORIZED_PARTIES[0] } : {}),
  });
  logger.warn({ keyFile: config.DEV_AUTH_KEY_FILE }, 'development auth: Clerk is not configured');
  process.stdout.write(
    `\nDevelopment token (org_demo, admin, growth plan, 24 h); mint more with \`pnpm run token --org X --role admin --plan growth\`:\nDEV_TOKEN=${token}\n\n`,
  );
}
