import net from 'node:net';
import { createLogger } from '@mna/shared';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { EventsQueue } from '../src/modules/webhooks/webhooks.intake.js';
import type { createWebhooksRepo, StoredEvent } from '../src/modules/webhooks/webhooks.repo.js';
import { createWebhooksService } from '../src/modules/webhooks/webhooks.service.js';
import { type Harness, startHarness } from './harness.js';

export const RETRY = { attempts: 3, backoffMs: 50 };
export const silent = createLogger({ service: 'billing-test', level: 'silent' });

/** A billing harness without workers for one spec file, its event store and queue emptied before each test. */
export function useIntakeHarness(set: (h: Harness) => void) {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    set(h);
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.owner.deleteFrom('billing.stripe_events').execute();
    await h.eventsQueue.obliterate({ force: true });
  });
}

export const storedEvents = (h: Harness) => h.owner.selectFrom('billing.stripe_events').selectAll().execute();
export const storedIds = async (h: Harness) =>
  (await h.owner.selectFrom('billing.stripe_events').select('id').orderBy('id').execute()).map((r) => r.id);

/** A verified event as the intake stores it. */
export const storedEvent = (id: string): StoredEvent => ({
  id,
  type: 'customer.updated',
  customerId: 'cus_batch',
  created: new Date(),
  payload: JSON.stringify({ id, object: 'event', type: 'customer.updated' }),
});

/** The intake service over a given repo (to count or break its statements) and queue. */
export const intakeService = (
  h: Harness,
  repo: ReturnType<typeof createWebhooksRepo>,
  queue: EventsQueue = h.eventsQueue,
) =>
  createWebhooksService({
    repo,
    queue,
    webhookSecret: h.fake!.webhookSecret,
    toleranceSeconds: 300,
    retry: RETRY,
  });

/** A TCP relay to `target`; `cut` closes it and every connection through it (the target looks down). */
export async function startRelay(target: URL) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    async cut() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
