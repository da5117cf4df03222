import { cheapestPlanAllowing, PaymentRequiredError } from '@mna/shared';
import type { ServiceApp } from '@mna/shared/kit';
import type { Redis } from 'ioredis';
import '../fastify-types.js';
import { monthlyWindowEnd } from './monthly-window.js';

/** Counts up to the limit atomically: never above it, however many replicas race. */
const TAKE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then return {0, used} end
used = redis.call('INCR', KEYS[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return {1, used}`;
/** Gives back a use whose call failed, never below zero. */
const GIVE_BACK = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

/** Kept a day past the window so a clock skew between replicas cannot restart a count early. */
const KEEP_AFTER_MS = 86_400_000;

export type AnalysisQuotaSettings = { redis: Redis; prefix: string; now?: () => Date };

type Taken = { key: string };
const TAKEN = Symbol('quotaTaken');
type WithTaken = { [TAKEN]?: Taken };

/**
 * Monthly allowances (`aiAnalysesPerMonth`) on routes whose contract names a `quota`: counted per
 * tenant in Redis, in windows that renew on the billing period (see monthlyWindowEnd). Runs in
 * `preHandler` after the rate limit; over the allowance → 402 naming the plan that allows more. A call
 * the gateway or the service answers with an error gives its use back. Redis down: admitted, logged.
 */
export async function registerAnalysisQuota(app: ServiceApp, settings: AnalysisQuotaSettings) {
  const now = settings.now ?? (() => new Date());
  app.addHook('preHandler', async (request) => {
    const quota = request.routeOptions.config.gateway?.quota;
    const plan = request.tenantPlan;
    const principal = request.principal;
    if (!quota || !plan || !principal) return;
    const limit = plan.entitlements[quota];
    const resetsAt = monthlyWindowEnd(plan.periodEnd, now());
    const key = `${settings.prefix}${quota}:${principal.tenantId}:${resetsAt.getTime()}`;
    let answer: [number, number];
    try {
      answer = (await settings.redis.eval(TAKE, 1, key, limit, resetsAt.getTime() + KEEP_AFTER_MS)) as [
        number,
        number,
      ];
    } catch (error) {
      request.log.error({ err: error }, 'quota store unavailable; request admitted');
      return;
    }
    if (answer[0] === 1) {
      (request as WithTaken)[TAKEN] = { key };
      return;
    }
    const upgrade = cheapestPlanAllowing(quota, limit + 1);
    throw new PaymentRequiredError(
      `The ${plan.plan} plan includes ${limit} AI analyses per month, all used; the count resets at ${resetsAt.toISOString()}.` +
        (upgrade ? ` The ${upgrade.name} plan includes ${upgrade.entitlements[quota]}.` : ''),
      { quota, limit, used: answer[1], resetsAt: resetsAt.toISOString(), plan: upgrade?.id ?? null },
    );
  });
  app.addHook('onResponse', async (request, reply) => {
    const taken = (request as WithTaken)[TAKEN];
    if (!taken || reply.statusCode < 400) return;
    await settings.redis.eval(GIVE_BACK, 1, taken.key).catch((error: unknown) => {
      request.log.warn({ err: error }, 'quota give-back failed');
    });
  });
}
