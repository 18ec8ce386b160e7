import { describe, expect, it } from 'vitest';
import { MemoryDeliveryLedger } from '#adapters/memory/memory-delivery-ledger.ts';
import type { ObserverFilter } from '#shared/bus/filter-pattern.ts';
import { parseStoredEvent, type StoredEvent } from '#shared/contract/event.ts';
import type { DeliveryOutcome } from '#shared/webhooks/deliver-webhook.ts';
import type { DeliveryJob, ReplayJob, WebhookJob } from '#shared/webhooks/delivery-job.ts';
import { makeOrderedReplay, type ReplaySlice, type ReplaySliceResult } from '#shared/webhooks/ordered-replay.ts';
import type { LedgerKey } from '#shared/webhooks/ports.ts';
import type { Subscription } from '#shared/webhooks/subscription.ts';
import { fakeClock } from '#test/support/clock.ts';

const tenant = 'acme';
const runId = 'run-1';
const subscriptionId = 'sub_1';
const key: LedgerKey = { tenant, runId, subscriber: subscriptionId, kind: 'webhook' };

/** A run's stored events, seq 1..n, of the given types. */
function runOf(types: readonly string[]): StoredEvent[] {
  const payloads: Record<string, object> = { 'run.progress': { progress: 0.5 }, token: { text: 'hi' } };
  return types.map((type, index) =>
    parseStoredEvent({ eventId: `e${index + 1}`, runId, type, occurredAt: '2026-11-23T10:00:00Z', receivedAt: '2026-11-23T10:00:01Z', seq: index + 1, ...(type in payloads ? { payload: payloads[type] } : {}) }),
  );
}

/**
 * Everything around one replay, in memory: the run's events, a subscription, a receiver whose
 * answers are scripted per seq (one outcome per attempt, then delivered), a queue that keeps what
 * the replay puts back, and the delivered batch.
 */
async function given(options: { types: readonly string[]; filter?: ObserverFilter; script?: Record<number, DeliveryOutcome['outcome'][]>; slice?: Partial<ReplaySlice>; subscription?: 'active' | 'disabled' | 'deleted' }) {
  const clock = fakeClock();
  const events = runOf(options.types);
  // The memory adapter passes the ReplayLedger contract with DynamoDB: a slice moves the replay on unless a later one did.
  const replays = new MemoryDeliveryLedger();
  const queued: Array<{ job: WebhookJob; delayMs: number }> = [];
  const attempts: Array<{ seq: number; attempt: number }> = [];
  const delivered: number[] = [];
  let flushes = 0;
  const state = { subscription: options.subscription ?? 'active' };
  const subscription = (): Subscription | undefined =>
    state.subscription === 'deleted'
      ? undefined
      : { id: subscriptionId, tenant, url: 'https://hooks.example.com/in', filter: options.filter ?? { preset: 'all' }, status: state.subscription, createdAt: '', updatedAt: '', secret: 'whsec_x' };
  const script = new Map(Object.entries(options.script ?? {}).map(([seq, outcomes]) => [Number(seq), [...outcomes]]));
  const deliver = (job: DeliveryJob): Promise<DeliveryOutcome> => {
    attempts.push({ seq: job.event.seq, attempt: job.attempt });
    const outcome = script.get(job.event.seq)?.shift() ?? 'delivered';
    if (outcome === 'retry') return Promise.resolve({ outcome, delayMs: 1000 * job.attempt });
    return Promise.resolve({ outcome });
  };
  const replay = makeOrderedReplay({
    events: { listEvents: (_tenant, _run, { afterSeq, limit }) => Promise.resolve(events.filter((event) => event.seq > afterSeq).slice(0, limit)) },
    subscriptions: { get: () => Promise.resolve(subscription()) },
    deliver,
    delivered: {
      add: (ledgerKey, seq) => {
        expect(ledgerKey).toEqual(key);
        delivered.push(seq);
      },
      flush: () => {
        flushes += 1;
        return Promise.resolve();
      },
    },
    replays,
    queue: {
      enqueue: (jobs, delayMs) => {
        for (const job of jobs) queued.push({ job, delayMs });
        return Promise.resolve();
      },
    },
    clock,
    slice: { maxEvents: 1000, maxMs: 60_000, ...options.slice },
  });
  const job: ReplayJob = { kind: 'replay', tenant, subscriptionId, runId, replayId: 'rpl_1', afterSeq: 0, throughSeq: events.length, attempt: 1, step: 0 };
  await replays.startReplay({ ...key, replayId: 'rpl_1', fromSeq: 1, toSeq: events.length, nextSeq: 1, status: 'running', step: 0, queuedAt: '2026-11-23T10:00:00Z', updatedAt: '2026-11-23T10:00:00Z' });
  return {
    job,
    replay,
    queued,
    attempts,
    delivered,
    state,
    flushes: () => flushes,
    record: () => replays.getReplay(key, 'rpl_1'),
  };
}

describe('an ordered replay', () => {
  it('sends every event in seq order, records them delivered and ends done past the last seq', async () => {
    const world = await given({ types: ['run.started', 'run.progress', 'run.progress', 'run.completed'] });
    const result = await world.replay(world.job);
    expect(result).toEqual({ outcome: 'done', delivered: [1, 2, 3, 4], dead: [] });
    expect(world.attempts).toEqual([1, 2, 3, 4].map((seq) => ({ seq, attempt: 1 })));
    expect(world.delivered).toEqual([1, 2, 3, 4]);
    expect(world.queued).toEqual([]);
    expect(await world.record()).toEqual(expect.objectContaining({ status: 'done', nextSeq: 5, step: 1 }));
    // The delivered blocks are written before the record says done.
    expect(world.flushes()).toBe(1);
  });

  it('puts itself back at the same position with the next attempt and the delay when an event fails, and never sends the next one before it', async () => {
    const world = await given({ types: ['run.started', 'run.progress', 'run.progress', 'run.progress', 'run.completed'], script: { 3: ['retry', 'retry'] } });
    const first = await world.replay(world.job);
    expect(first).toEqual({ outcome: 'retrying', delivered: [1, 2], dead: [] });
    expect(world.queued).toEqual([{ job: { ...world.job, afterSeq: 2, attempt: 2, step: 1 }, delayMs: 1000 }]);
    expect(await world.record()).toEqual(expect.objectContaining({ status: 'retrying', nextSeq: 3, step: 1 }));

    const rest = await drainQueue(world);
    expect(rest.map((result) => result.outcome)).toEqual(['retrying', 'done']);
    expect(world.attempts).toEqual([
      { seq: 1, attempt: 1 },
      { seq: 2, attempt: 1 },
      { seq: 3, attempt: 1 },
      { seq: 3, attempt: 2 },
      { seq: 3, attempt: 3 },
      { seq: 4, attempt: 1 },
      { seq: 5, attempt: 1 },
    ]);
    expect(world.delivered).toEqual([1, 2, 3, 4, 5]);
    expect(await world.record()).toEqual(expect.objectContaining({ status: 'done', nextSeq: 6 }));
  });

  it('goes on with the next event at attempt 1 when one is dead in the middle', async () => {
    const world = await given({ types: ['run.started', 'run.progress', 'run.progress', 'run.progress', 'run.completed'], script: { 3: ['retry', 'dead'] } });
    const results = [await world.replay(world.job), ...(await drainQueue(world))];
    expect(results.map((result) => result.outcome)).toEqual(['retrying', 'done']);
    expect(results.flatMap((result) => result.dead)).toEqual([3]);
    expect(world.attempts).toEqual([
      { seq: 1, attempt: 1 },
      { seq: 2, attempt: 1 },
      { seq: 3, attempt: 1 },
      { seq: 3, attempt: 2 },
      { seq: 4, attempt: 1 },
      { seq: 5, attempt: 1 },
    ]);
    expect(world.delivered).toEqual([1, 2, 4, 5]);
    expect(await world.record()).toEqual(expect.objectContaining({ status: 'done', nextSeq: 6 }));
  });

  it('sends only what the subscription\'s filter matches, and counts the skipped events as passed', async () => {
    const world = await given({ types: ['run.started', 'run.progress', 'token', 'run.progress', 'run.completed'], filter: { types: ['run.started', 'run.completed'] } });
    expect(await world.replay(world.job)).toEqual({ outcome: 'done', delivered: [1, 5], dead: [] });
    expect(world.attempts.map(({ seq }) => seq)).toEqual([1, 5]);
    expect(await world.record()).toEqual(expect.objectContaining({ status: 'done', nextSeq: 6 }));
  });

  it('works in slices: after the slice\'s events it queues its continuation at once, and the slices together send the run in order', async () => {
    const world = await given({ types: Array.from({ length: 7 }, () => 'run.progress'), slice: { maxEvents: 3 } });
    const first = await world.replay(world.job);
    expect(first).toEqual({ outcome: 'continued', delivered: [1, 2, 3], dead: [] });
    expect(world.queued).toEqual([{ job: { ...world.job, afterSeq: 3, attempt: 1, step: 1 }, delayMs: 0 }]);
    expect(await world.record()).toEqual(expect.objectContaining({ status: 'running', nextSeq: 4, step: 1 }));
    const rest = await drainQueue(world);
    expect(rest.map((result) => result.outcome)).toEqual(['continued', 'done']);
    expect(world.attempts.map(({ seq }) => seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // One record write per slice, whatever the slice holds.
    expect(await world.record()).toEqual(expect.objectContaining({ status: 'done', nextSeq: 8, step: 3 }));
  });

  it('ends a slice on its time budget too', async () => {
    const world = await given({ types: ['run.progress', 'run.progress', 'run.progress'], slice: { maxMs: 0 } });
    expect(await world.replay(world.job)).toEqual({ outcome: 'continued', delivered: [], dead: [] });
    expect(world.attempts).toEqual([]);
    expect(world.queued[0]?.job).toEqual({ ...world.job, step: 1 });
  });

  it('drops a stale copy of a job the replay has moved past, sending nothing', async () => {
    const world = await given({ types: ['run.progress', 'run.progress', 'run.progress'], slice: { maxEvents: 1 } });
    await world.replay(world.job);
    const sent = world.attempts.length;
    expect(await world.replay(world.job)).toEqual({ outcome: 'stale', delivered: [], dead: [] });
    expect(world.attempts).toHaveLength(sent);
    expect(world.queued).toHaveLength(1);
  });

  it('stops as cancelled when the subscription is deleted or disabled, keeping how far it got', async () => {
    const world = await given({ types: ['run.progress', 'run.progress', 'run.progress'], slice: { maxEvents: 2 } });
    await world.replay(world.job);
    world.state.subscription = 'disabled';
    const next = world.queued.shift()?.job;
    if (next === undefined || !('kind' in next)) throw new Error('no continuation queued');
    expect(await world.replay(next)).toEqual({ outcome: 'cancelled', delivered: [], dead: [] });
    expect(await world.record()).toEqual(expect.objectContaining({ status: 'cancelled', nextSeq: 3 }));
    expect(world.queued).toEqual([]);

    const deleted = await given({ types: ['run.progress'], subscription: 'deleted' });
    expect((await deleted.replay(deleted.job)).outcome).toBe('cancelled');
    expect(deleted.attempts).toEqual([]);
  });
});

/** Runs what the first slice queued, and what those queue, until nothing is left. */
async function drainQueue(world: Awaited<ReturnType<typeof given>>): Promise<ReplaySliceResult[]> {
  const results: ReplaySliceResult[] = [];
  while (world.queued.length > 0) {
    const next = world.queued.shift()?.job;
    if (next === undefined || !('kind' in next)) throw new Error('the replay queued a job that is not a replay');
    results.push(await world.replay(next));
  }
  return results;
}
