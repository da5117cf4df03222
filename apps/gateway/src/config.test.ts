import { describe, expect, it } from 'vitest';
import { type GatewayConfig, metricsPort } from './config.js';

const config = (values: Partial<GatewayConfig>) => values as GatewayConfig;

describe('metricsPort', () => {
  it('is 9464 in production, a free port elsewhere, and METRICS_PORT when set', () => {
    expect(metricsPort(config({ NODE_ENV: 'production' }))).toBe(9464);
    expect(metricsPort(config({ NODE_ENV: 'development' }))).toBe(0);
    expect(metricsPort(config({ NODE_ENV: 'test', METRICS_PORT: 9100 }))).toBe(9100);
  });
});
