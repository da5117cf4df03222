import { z } from 'zod';

export const UuidSchema = z.uuid();
export const IdParamsSchema = z.object({ id: z.uuid() });
export type IdParams = z.infer<typeof IdParamsSchema>;

/** Liveness: the process is up. */
export const HealthSchema = z.object({ status: z.literal('ok') });

/** Readiness: every dependency answered; on 503 the failed ones are named. */
export const ReadinessSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(
    z.string(),
    z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() }),
  ),
});
export type Readiness = z.infer<typeof ReadinessSchema>;

export const IsoDateTimeSchema = z.iso.datetime({ offset: true });
