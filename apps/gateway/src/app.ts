import type { Metrics } from '@mna/shared';
import { createServiceApp, pingRedis, type Redis } from '@mna/shared/kit';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config.js';

export type GatewayDeps = {
  config: GatewayConfig;
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
};

/** The public gateway's HTTP app; never listens, never reads the environment. */
export async function buildApp(deps: GatewayDeps) {
  const app = await createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: { redis: () => pingRedis(deps.redis) },
  });
  return app;
}
