import { describe, expect, it } from 'vitest';
import type { PublishedDetail } from '#shared/bus/published-event.ts';
import type { BusEntry, EventPublisher } from '#shared/ports.ts';
import { makeRelay, type RelayRecord } from '#shared/relay/make-relay.ts';
import { memoryFailedPublishes } from '#test/support/failed-publishes.ts';

function detail(seq: number, type = 'run.progress'): PublishedDetail {
  return { eventId: `e${seq}`, runId: 'r', type, occurredAt: '2026-11-23T10:00:00Z', seq, receivedAt: '2026-11-23T10:00:01Z', tenant: 'acme' } as PublishedDetail;
}

/** A bus that records every call and fails the entries (by seq) it is told to, a given number of times. */
function flakyBus(failures: Map<number, number> = new Map()) {
  const calls: BusEntry[][] = [];
  const delivered: number[] = [];
  const publisher: EventPublisher = {
    putEntries: (entries) => {
      calls.push([...entries]);
      const failed: number[] = [];
      entries.forEach((entry, index) => {
        const seq = (JSON.parse(entry.detail) as { seq: number }).seq;
        const left = failures.get(seq) ?? 0;
        if (left > 0) {
          failures.set(seq, left - 1);
          failed.push(index);
        } else delivered.push(seq);
      });
      return Promise.resolve(failed);
    },
  };
  return { publisher, calls, delivered };
}

const records = (count: number, type?: string): RelayRecord[] => Array.from({ length: count }, (_, i) => ({ sequenceNumber: `sn-${i + 1}`, detail: detail(i + 1, type) }));
const noWait = () => Promise.resolve();

describe('relay', () => {
  it('publishes every new event once, at most 10 entries a call', async () => {
    const bus = flakyBus();
    const result = await makeRelay({ publisher: bus.publisher, shouldPublish: () => true, sleep: noWait })(records(25));
    expect(result.batchItemFailures).toEqual([]);
    expect(bus.calls.map((call) => call.length)).toEqual([10, 10, 5]);
    expect(bus.delivered.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(bus.calls[0]?.[0]).toMatchObject({ source: 'runledger', detailType: 'run.progress' });
    expect(JSON.parse(bus.calls[0]?.[0]?.detail ?? '{}')).toMatchObject({ tenant: 'acme', seq: 1, eventId: 'e1' });
  });

  it('retries only the entries the bus reports as failed', async () => {
    const bus = flakyBus(new Map([[3, 1], [7, 2]]));
    const result = await makeRelay({ publisher: bus.publisher, shouldPublish: () => true, sleep: noWait })(records(10));
    expect(result.batchItemFailures).toEqual([]);
    expect(bus.calls.map((call) => call.length)).toEqual([10, 2, 1]);
    expect(bus.delivered.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('reports the records still failing after its attempts, so the stream redelivers them', async () => {
    const bus = flakyBus(new Map([[2, 99]]));
    const result = await makeRelay({ publisher: bus.publisher, shouldPublish: () => true, maxAttempts: 3, sleep: noWait })(records(4));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'sn-2' }]);
    expect(bus.calls).toHaveLength(3);
  });

  it('treats a whole failed call as every entry failed', async () => {
    let calls = 0;
    const publisher: EventPublisher = { putEntries: () => (++calls === 1 ? Promise.reject(new Error('socket hang up')) : Promise.resolve([])) };
    const errors: unknown[] = [];
    const result = await makeRelay({ publisher, shouldPublish: () => true, sleep: noWait, onCallFailed: (error) => errors.push(error) })(records(3));
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('sends nothing for records without a new event or of a type nobody wants', async () => {
    const bus = flakyBus();
    const relay = makeRelay({ publisher: bus.publisher, shouldPublish: (type) => type !== 'token', sleep: noWait });
    const result = await relay([{ sequenceNumber: 'summary' }, ...records(3, 'token')]);
    expect(result.batchItemFailures).toEqual([]);
    expect(bus.calls).toEqual([]);
  });

  it('keeps what it could not publish, by tenant, run and seqs, and reports those records handled', async () => {
    const bus = flakyBus(new Map([[2, 99], [3, 99]]));
    const failures = memoryFailedPublishes();
    const clock = { now: () => new Date('2026-11-23T11:00:00Z') };
    const result = await makeRelay({ publisher: bus.publisher, shouldPublish: () => true, maxAttempts: 2, sleep: noWait, failures, clock })(records(4));
    expect(result.batchItemFailures).toEqual([]);
    expect([...failures.kept.values()]).toEqual([
      { tenant: 'acme', runId: 'r', seqs: [2, 3], types: ['run.progress'], reason: 'the bus reported the entries failed', failedAt: '2026-11-23T11:00:00.000Z' },
    ]);
  });

  it('keeps one failure per run when a batch holds several runs, with the call error as the reason', async () => {
    const publisher: EventPublisher = { putEntries: () => Promise.reject(new Error('throttled')) };
    const failures = memoryFailedPublishes();
    const mixed: RelayRecord[] = [
      { sequenceNumber: 'a', detail: { ...detail(1), runId: 'r-1' } },
      { sequenceNumber: 'b', detail: { ...detail(1, 'run.failed'), runId: 'r-2' } },
    ];
    await makeRelay({ publisher, shouldPublish: () => true, maxAttempts: 1, sleep: noWait, failures })(mixed);
    expect([...failures.kept.values()].map(({ runId, seqs, types, reason }) => ({ runId, seqs, types, reason }))).toEqual([
      { runId: 'r-1', seqs: [1], types: ['run.progress'], reason: 'PutEvents failed: throttled' },
      { runId: 'r-2', seqs: [1], types: ['run.failed'], reason: 'PutEvents failed: throttled' },
    ]);
  });

  it('hands the records back to the stream when keeping the failures fails too', async () => {
    const bus = flakyBus(new Map([[1, 99]]));
    const errors: unknown[] = [];
    const relay = makeRelay({ publisher: bus.publisher, shouldPublish: () => true, maxAttempts: 1, sleep: noWait, failures: memoryFailedPublishes({ failRecord: true }), onRecordFailed: (error) => errors.push(error) });
    const result = await relay(records(2));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'sn-1' }]);
    expect(errors).toEqual([expect.objectContaining({ message: 'queue unavailable' })]);
  });
});
