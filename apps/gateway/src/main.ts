import { createLogger, createMetrics, loadConfigOrExit } from '@mna/shared';
import { createRedis, runService } from '@mna/shared/kit';
import { buildApp } from './app.js';
import { configSpec } from './config.js';

const config = loadConfigOrExit(configSpec, process.env);
const logger = createLogger({ service: configSpec.service, level: config.LOG_LEVEL });
const metrics = createMetrics(configSpec.service);
const redis = createRedis(config.REDIS_URL);
const app = await buildApp({ config, logger, metrics, redis });

await runService({
  app,
  host: config.HOST,
  port: config.PORT,
  logger,
  graceMs: config.SHUTDOWN_GRACE_MS,
  closers: [{ name: 'redis', close: () => redis.quit() }],
});
