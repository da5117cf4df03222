import { describe, expect, it } from 'vitest';
import {
  createIntakeBatcher,
  type EventsQueue,
  type IntakeBatching,
} from '../src/modules/webhooks/webhooks.intake.js';
import { createWebhooksRepo, type StoredEvent } from '../src/modules/webhooks/webhooks.repo.js';
import type { Harness } from './harness.js';
import { RETRY, storedEvent, storedIds, useIntakeHarness } from './intake-fixtures.js';

describe('Stripe intake group commit', () => {
  let h: Harness;
  useIntakeHarness((harness) => {
    h = harness;
  });

  /** A batcher over the real repo that records each insert's ids and the inserts in flight. */
  function recordingBatcher(batching: Partial<IntakeBatching>, queue: EventsQueue = h.eventsQueue) {
    const repo = createWebhooksRepo(h.db);
    const inserts: string[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const recording = {
      ...repo,
      async insertMany(events: StoredEvent[]) {
        inserts.push(events.map((e) => e.id));
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await repo.insertMany(events);
        } finally {
          inFlight -= 1;
        }
      },
    };
    const batcher = createIntakeBatcher({ repo: recording, queue, retry: RETRY, batching });
    return { batcher, inserts, maxInFlight: () => maxInFlight };
  }

  it('writes a batch as soon as it is full, without waiting for the time limit', async () => {
    const { batcher, inserts } = recordingBatcher({ maxBatch: 5, maxWaitMs: 10_000, concurrency: 1 });
    const started = Date.now();
    const answers = await Promise.all(
      ['e1', 'e2', 'e3', 'e4', 'e5'].map((id) => batcher.submit(storedEvent(id))),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answers).toEqual([true, true, true, true, true]);
    expect(inserts).toEqual([['e1', 'e2', 'e3', 'e4', 'e5']]);
    expect(await storedIds(h)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(await h.eventsQueue.count()).toBe(5);
  });

  it('writes a partial batch once its oldest event has waited the time limit', async () => {
    const { batcher, inserts } = recordingBatcher({ maxBatch: 100, maxWaitMs: 40, concurrency: 1 });
    const started = Date.now();
    const first = batcher.submit(storedEvent('t1'));
    await new Promise((r) => setTimeout(r, 10));
    const rest = [batcher.submit(storedEvent('t2')), batcher.submit(storedEvent('t3'))];
    await Promise.all([first, ...rest]);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(38);
    expect(waited).toBeLessThan(1_000);
    expect(inserts).toEqual([['t1', 't2', 't3']]);
    expect(await h.eventsQueue.count()).toBe(3);
  });

  it('without a time limit, a lone event is written at once', async () => {
    const { batcher, inserts } = recordingBatcher({ maxBatch: 100, maxWaitMs: 0, concurrency: 2 });
    await batcher.submit(storedEvent('solo'));
    expect(inserts).toEqual([['solo']]);
  });

  it('keeps at most `concurrency` batches in flight and every event lands', async () => {
    const { batcher, inserts, maxInFlight } = recordingBatcher({ maxBatch: 4, maxWaitMs: 0, concurrency: 2 });
    const ids = Array.from({ length: 60 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    const answers = await Promise.all(ids.map((id) => batcher.submit(storedEvent(id))));
    expect(answers.every(Boolean)).toBe(true);
    expect(maxInFlight()).toBe(2);
    expect(inserts.every((batch) => batch.length <= 4)).toBe(true);
    expect(inserts.flat().sort()).toEqual(ids);
    expect(await storedIds(h)).toEqual(ids);
    expect(await h.eventsQueue.count()).toBe(60);
  });

  it('a burst of one id across concurrent batches stores one row, one job, one "new" answer', async () => {
    const { batcher, inserts } = recordingBatcher({ maxBatch: 3, maxWaitMs: 0, concurrency: 4 });
    const submissions = Array.from({ length: 40 }, (_, i) =>
      storedEvent(i % 8 === 0 ? `other${i}` : 'evt_dup'),
    );
    const answers = await Promise.all(submissions.map((e) => batcher.submit(e)));
    const dupAnswers = answers.filter((_, i) => submissions[i]!.id === 'evt_dup');
    expect(dupAnswers.filter((fresh) => fresh)).toHaveLength(1);
    expect(inserts.length).toBeGreaterThan(1);
    expect(await storedIds(h)).toEqual(['evt_dup', 'other0', 'other16', 'other24', 'other32', 'other8']);
    expect(await h.eventsQueue.count()).toBe(6);
    expect(await h.eventsQueue.getJob('evt_dup')).toBeDefined();
  });

  it('concurrent batches holding the same ids in opposite orders never deadlock', async () => {
    const { batcher } = recordingBatcher({ maxBatch: 6, maxWaitMs: 0, concurrency: 4 });
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (let round = 0; round < 5; round += 1) {
      const prefixed = ids.map((id) => `r${round}_${id}`);
      const orders = [prefixed, [...prefixed].reverse(), [...prefixed.slice(3), ...prefixed.slice(0, 3)]];
      const answers = await Promise.all(
        orders.flatMap((order) => order.map((id) => batcher.submit(storedEvent(id)))),
      );
      expect(answers.filter(Boolean)).toHaveLength(6);
    }
    expect(await storedIds(h)).toHaveLength(30);
  });
});
