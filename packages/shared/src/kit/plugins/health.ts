import fp from 'fastify-plugin';
import type { Readiness } from '../../contracts/common.js';
import { problemInstance } from '../../errors.js';

/** A dependency check: resolves when the dependency answers, rejects (or times out) when it does not. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 1_000;

async function runCheck(check: ReadinessCheck): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz (the process is alive) and /readyz (every dependency answers; 503 naming the failed ones). */
export const healthPlugin = fp<{ checks: Record<string, ReadinessCheck> }>(
  async (app, { checks }) => {
    app.get('/healthz', { config: { auth: 'public' }, logLevel: 'warn' }, async () => ({
      status: 'ok' as const,
    }));
    app.get('/readyz', { config: { auth: 'public' }, logLevel: 'warn' }, async (_request, reply) => {
      const entries = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check)] as const),
      );
      const result: Readiness = { status: 'ok', checks: Object.fromEntries(entries) };
      if (app.draining) {
        result.checks.shutdown = { ok: false, latencyMs: 0, error: 'draining' };
      }
      const failed = Object.entries(result.checks).filter(([, c]) => !c.ok);
      if (failed.length === 0) return result;
      return reply
        .code(503)
        .type('application/problem+json')
        .send({
          type: 'https://docs.mna.dev/problems/not-ready',
          title: 'Not ready',
          status: 503,
          detail: `Unavailable: ${failed.map(([name]) => name).join(', ')}`,
          instance: problemInstance(_request.id),
          checks: result.checks,
        });
    });
  },
  { name: 'mna-health' },
);
