import { Gauge, type Registry } from 'prom-client';
import type { ReadinessCheck } from './plugins/health.js';

/**
 * Registers `mna_dependency_up{dependency}`: each readiness check (postgres, redis, ...) run at scrape
 * time, 1 when it answered within the timeout, else 0. The alerts on Postgres and Redis read it.
 */
export function registerDependencyMetrics(
  registry: Registry,
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 1_000,
): void {
  new Gauge({
    name: 'mna_dependency_up',
    help: '1 when the dependency answered its readiness check at this scrape, else 0',
    labelNames: ['dependency'] as const,
    registers: [registry],
    async collect() {
      await Promise.all(
        Object.entries(checks).map(async ([dependency, check]) => {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
          });
          const ok = await Promise.race([check(), timeout]).then(
            () => true,
            () => false,
          );
          clearTimeout(timer);
          this.set({ dependency }, ok ? 1 : 0);
        }),
      );
    },
  });
}
