import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

/** The job states exported per queue (BullMQ keeps prioritized jobs apart from waiting ones). */
export const QUEUE_METRIC_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/** What the collector reads from a queue: a BullMQ Queue (producer side) satisfies it. */
export type MetricsQueue = Pick<Queue, 'name' | 'getJobCounts' | 'getJobs'>;

type QueueReading =
  | { queue: string; ok: true; counts: Record<string, number>; oldestAgeSeconds: number }
  | { queue: string; ok: false };

async function readQueue(queue: MetricsQueue): Promise<QueueReading> {
  try {
    const [counts, [oldest]] = await Promise.all([
      queue.getJobCounts(...QUEUE_METRIC_STATES),
      queue.getJobs(['waiting'], 0, 0, true),
    ]);
    const oldestAgeSeconds = oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0;
    return { queue: queue.name, ok: true, counts, oldestAgeSeconds };
  } catch {
    return { queue: queue.name, ok: false };
  }
}

/**
 * Registers BullMQ gauges read from Redis at scrape time, so every replica of the owning service reports
 * the same figures (aggregate with max by queue, never sum):
 *   bullmq_queue_jobs{queue,state}                    waiting, prioritized, active, delayed, failed
 *   bullmq_queue_oldest_waiting_age_seconds{queue}    0 when nothing waits
 *   bullmq_queue_metrics_up{queue}                    0 when Redis did not answer (the others are absent)
 * A queue that cannot be read never fails the scrape: /metrics keeps answering while Redis is down.
 */
export function registerQueueMetrics(registry: Registry, queues: readonly MetricsQueue[]): void {
  // prom-client collects every metric of a scrape at once: the three gauges share one reading.
  let reading: { at: number; result: Promise<QueueReading[]> } | undefined;
  const read = () => {
    if (!reading || Date.now() - reading.at > 1_000) {
      reading = { at: Date.now(), result: Promise.all(queues.map(readQueue)) };
    }
    return reading.result;
  };
  new Gauge({
    name: 'bullmq_queue_jobs',
    help: 'BullMQ jobs by queue and state, read from Redis at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await read()) {
        if (r.ok)
          for (const state of QUEUE_METRIC_STATES) this.set({ queue: r.queue, state }, r.counts[state] ?? 0);
      }
    },
  });
  new Gauge({
    name: 'bullmq_queue_oldest_waiting_age_seconds',
    help: 'Age in seconds of the oldest job waiting in the queue (0 when none waits)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await read()) if (r.ok) this.set({ queue: r.queue }, r.oldestAgeSeconds);
    },
  });
  new Gauge({
    name: 'bullmq_queue_metrics_up',
    help: '1 when the queue figures could be read from Redis at this scrape, else 0',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      for (const r of await read()) this.set({ queue: r.queue }, r.ok ? 1 : 0);
    },
  });
}
