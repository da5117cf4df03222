import { randomBytes } from 'node:crypto';
import { createLogger, createQueue, QUEUES } from '@mna/shared';
import { createRedis } from '@mna/shared/kit';
import {
  deleteKeysWithPrefix,
  type FakeHandler,
  startFakeServer,
  TEST_REDIS_URL,
  uniquePrefix,
} from '@mna/testing';
import { sql } from 'kysely';
import { Agent } from 'undici';
import { createAttemptsRepo } from '../src/modules/partner-webhooks/attempts.repo.js';
import { createDeliveryWorkers, retryPolicyOf } from '../src/modules/partner-webhooks/delivery.jobs.js';
import { enqueueDelivery, newMessageId } from '../src/modules/partner-webhooks/delivery.queue.js';
import { createDeliveryService } from '../src/modules/partner-webhooks/delivery.service.js';
import type { Clock, Random } from '../src/modules/partner-webhooks/schedule.js';
import { startHarness } from './harness.js';
import { testConfig } from './helpers.js';

/**
 * A real HTTP receiver on 127.0.0.1, port 0 (the testing kit's recording server); `answer` decides
 * each response, `of(messageId)` lists the requests that carried one message (`webhook-id`).
 */
export async function startReceiver(answer: FakeHandler = () => ({ body: 'ok' })) {
  const server = await startFakeServer(answer);
  return {
    url: `${server.url}/hooks`,
    port: server.port,
    received: server.requests,
    of: (messageId: string) => server.requests.filter((r) => r.headers['webhook-id'] === messageId),
    answer: server.setHandler,
    close: server.close,
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

type Options = {
  env?: Record<string, string>;
  clock?: Clock;
  random?: Random;
  /** Run the delivery and upkeep workers (otherwise tests call `delivery.attempt` themselves). */
  workers?: boolean;
};

/**
 * The billing app plus partner webhook delivery on real Postgres, Redis and BullMQ: the app's own
 * queues and the workers share one Redis prefix. Receivers on 127.0.0.1 are allowed
 * (WEBHOOK_ALLOW_PRIVATE_URLS) unless a test passes its own dispatcher.
 */
export async function startDeliveryHarness(options: Options = {}) {
  const prefix = uniquePrefix('hooks');
  const env = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', REDIS_PREFIX: prefix, ...options.env };
  const config = testConfig(env);
  const h = await startHarness({
    stripe: false,
    env,
    ...(options.clock ? { deps: { clock: options.clock } } : {}),
  });
  const logger = createLogger({ service: 'hooks-test', level: 'silent' });
  const connection = createRedis(TEST_REDIS_URL, 'worker');
  const clock = options.clock ?? { now: () => new Date() };
  const random = options.random ?? Math.random;
  const dispatcher = new Agent({ connect: { timeout: 5_000 } });
  const workers =
    options.workers === false
      ? null
      : await createDeliveryWorkers({
          db: h.db,
          config,
          connection,
          prefix,
          logger,
          clock,
          random,
          dispatcher,
          sweep: false,
        });
  const producer = createRedis(TEST_REDIS_URL);
  const queue = createQueue(QUEUES.webhookDelivery, { connection: producer, prefix });
  /** A delivery service without a worker: the test drives each attempt. */
  const deliveryWith = (overrides: { random?: Random; timeoutMs?: number } = {}) =>
    createDeliveryService({
      repo: createAttemptsRepo(h.db),
      queue,
      policy: retryPolicyOf(config),
      failing: {
        disableAfterMs: config.WEBHOOK_DISABLE_AFTER_DAYS * 86_400_000,
        warnBeforeMs: config.WEBHOOK_DISABLE_WARNING_HOURS * 3_600_000,
      },
      timeoutMs: overrides.timeoutMs ?? config.WEBHOOK_DELIVERY_TIMEOUT_MS,
      dispatcher,
      clock,
      random: overrides.random ?? random,
      logger,
    });
  const delivery = deliveryWith();

  const as = (tenantId: string) => h.headers({ tenantId, userId: `user_${tenantId}` });
  const call = async (tenantId: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    h.app.inject({
      method,
      url,
      headers: await as(tenantId),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  return {
    ...h,
    config,
    prefix,
    queue,
    delivery,
    deliveryWith,
    workers,
    call,
    async createEndpoint(tenantId: string, url: string) {
      const res = await call(tenantId, 'POST', '/v1/webhooks/endpoints', {
        url,
        events: ['document.indexed', 'invoice.paid'],
      });
      if (res.statusCode !== 201) throw new Error(`endpoint: ${res.statusCode} ${res.body}`);
      return res.json() as { id: string; secret: string };
    },
    /**
     * Events and their messages to one endpoint, written as the fan-out writes them; enqueued unless
     * `enqueue` is false. Answers the message ids in order.
     */
    async seedMessages(
      tenantId: string,
      endpointId: string,
      datas: Record<string, unknown>[],
      seed: { enqueue?: boolean; createdAt?: Date } = {},
    ) {
      const rows = datas.map((data, i) => ({
        eventId: `evt_${randomBytes(12).toString('base64url')}`,
        messageId: newMessageId(),
        data,
        sequence: i + 1,
      }));
      const createdAt = seed.createdAt ?? new Date();
      await h.owner
        .insertInto('billing.webhook_events')
        .values(
          rows.map((r) => ({
            id: r.eventId,
            tenant_id: tenantId,
            type: 'document.indexed',
            resource_id: `doc_${r.eventId}`,
            sequence: r.sequence,
            data: JSON.stringify(r.data),
            created_at: createdAt,
          })),
        )
        .execute();
      await h.owner
        .insertInto('billing.webhook_messages')
        .values(
          rows.map((r) => ({
            id: r.messageId,
            endpoint_id: endpointId,
            event_id: r.eventId,
            tenant_id: tenantId,
            created_at: createdAt,
          })),
        )
        .execute();
      const ids = rows.map((r) => r.messageId);
      if (seed.enqueue ?? true)
        await enqueueDelivery(
          queue,
          ids.map((messageId) => ({ messageId })),
        );
      return ids;
    },
    messages: (ids: string[]) =>
      h.owner.selectFrom('billing.webhook_messages').selectAll().where('id', 'in', ids).execute(),
    attempts: (messageId: string) =>
      h.owner
        .selectFrom('billing.webhook_attempts')
        .selectAll()
        .where('message_id', '=', messageId)
        .orderBy('attempt_number')
        .execute(),
    notices: (endpointId: string) =>
      h.owner
        .selectFrom('billing.webhook_events')
        .select(['type', 'data', 'created_at'])
        .where('resource_id', '=', endpointId)
        .orderBy('sequence')
        .execute(),
    endpointRow: (id: string) =>
      h.owner
        .selectFrom('billing.webhook_endpoints')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow(),
    /** Messages still pending among `ids`. */
    pendingCount: async (ids: string[]) => {
      const { rows } = await sql<{ n: string }>`select count(*) as n from billing.webhook_messages
        where id = any(${ids}) and status = 'pending'`.execute(h.owner);
      return Number(rows[0]!.n);
    },
    async close() {
      await workers?.close();
      await queue.close();
      await dispatcher.close();
      await deleteKeysWithPrefix(prefix);
      producer.disconnect();
      connection.disconnect();
      await h.close();
    },
  };
}

export type DeliveryHarness = Awaited<ReturnType<typeof startDeliveryHarness>>;
