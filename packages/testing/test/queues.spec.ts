import { createLogger, createQueue, createWorker, jobPayload, QUEUES } from '@mna/shared';
import { createRedis } from '@mna/shared/kit';
import { QueueEvents } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniquePrefix } from '../src/index.js';

const prefix = uniquePrefix('queues');
const logger = createLogger({ service: 'queues-test', level: 'silent' });
const connection = createRedis(TEST_REDIS_URL, 'worker');

afterAll(async () => {
  connection.disconnect();
  await deleteKeysWithPrefix(prefix);
});

describe('typed queues', () => {
  it('validates payloads on enqueue', () => {
    expect(() =>
      jobPayload(QUEUES.searchEmbed, { tenantId: '', target: 'document', id: 'x' } as never),
    ).toThrow();
  });

  it('parses the payload again on consumption and fails a bad job without retrying it', async () => {
    const def = QUEUES.searchEmbed;
    const queue = createQueue(def, { connection, prefix });
    const events = new QueueEvents(def.name, { connection: createRedis(TEST_REDIS_URL, 'worker'), prefix });
    await events.waitUntilReady();
    const seen: string[] = [];
    const worker = createWorker(
      def,
      async (data) => {
        seen.push(data.id);
        return { ok: true };
      },
      { connection, prefix, logger },
    );
    try {
      const good = await queue.add(
        'embed',
        jobPayload(def, { tenantId: 't1', target: 'document', id: crypto.randomUUID() }),
      );
      await good.waitUntilFinished(events, 10_000);
      const bad = await queue.add('embed', { tenantId: 't1', target: 'nope', id: 'not-a-uuid' } as never, {
        attempts: 5,
      });
      await expect(bad.waitUntilFinished(events, 10_000)).rejects.toThrow(/invalid search-embed payload/);
      const failed = await queue.getJob(bad.id!);
      expect(failed?.attemptsMade).toBe(1);
      expect(seen).toEqual([good.data.id]);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  });
});
