import { describe, expect, it } from 'vitest';
import type { PublishedDetail } from '#shared/bus/published-event.ts';
import type { BusEntry, EventPublisher } from '#shared/ports.ts';
import { makeRelay, type RelayRecord } from '#shared/relay/make-relay.ts';
import { makeReadConfirmed } from '#shared/relay/read-seq-range.ts';
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
const noConfirms = () => Promise.reject(new Error('these tests have no confirmed ranges'));

/** A run of stored events (a table), read back the way makeReadConfirmed reads them. */
function storedRun(count: number) {
  const events = Array.from({ length: count }, (_, i) => {
    const { tenant: _tenant, ...event } = detail(i + 1);
    return event;
  });
  const reads: string[] = [];
  const store = {
    listEvents: (_tenant: string, _runId: string, { afterSeq, limit }: { afterSeq: number; limit: number }) => {
      reads.push(`${afterSeq}+${limit}`);
      return Promise.resolve(events.filter((event) => event.seq > afterSeq).slice(0, limit));
    },
  };
  return { readConfirmed: makeReadConfirmed(store), reads };
}

const confirm = (sequenceNumber: string, from: number, to: number, runId = 'r'): RelayRecord => ({ sequenceNumber, confirmed: { tenant: 'acme', runId, from, to } });
const seqsOf = (calls: readonly BusEntry[][]) => calls.flat().map((entry) => (JSON.parse(entry.detail) as { seq: number }).seq);

describe('relay', () => {
  it('publishes every new event once, at most 10 entries a call', async () => {
    const bus = flakyBus();
    const result = await makeRelay({ publisher: bus.publisher, readConfirmed: noConfirms, shouldPublish: () => true, sleep: noWait })(records(25));
    expect(result.batchItemFailures).toEqual([]);
    expect(bus.calls.map((call) => call.length)).toEqual([10, 10, 5]);
    expect(bus.delivered.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(bus.calls[0]?.[0]).toMatchObject({ source: 'runledger', detailType: 'run.progress' });
    expect(JSON.parse(bus.calls[0]?.[0]?.detail ?? '{}')).toMatchObject({ tenant: 'acme', seq: 1, eventId: 'e1' });
  });

  it('retries only the entries the bus reports as failed', async () => {
    const bus = flakyBus(new Map([[3, 1], [7, 2]]));
    const result = await makeRelay({ publisher: bus.publisher, readConfirmed: noConfirms, shouldPublish: () => true, sleep: noWait })(records(10));
    expect(result.batchItemFailures).toEqual([]);
    expect(bus.calls.map((call) => call.length)).toEqual([10, 2, 1]);
    expect(bus.delivered.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('reports the records still failing after its attempts, so the stream redelivers them', async () => {
    const bus = flakyBus(new Map([[2, 99]]));
    const result = await makeRelay({ publisher: bus.publisher, readConfirmed: noConfirms, shouldPublish: () => true, maxAttempts: 3, sleep: noWait })(records(4));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'sn-2' }]);
    expect(bus.calls).toHaveLength(3);
  });

  it('treats a whole failed call as every entry failed', async () => {
    let calls = 0;
    const publisher: EventPublisher = { putEntries: () => (++calls === 1 ? Promise.reject(new Error('socket hang up')) : Promise.resolve([])) };
    const errors: unknown[] = [];
    const result = await makeRelay({ publisher, readConfirmed: noConfirms, shouldPublish: () => true, sleep: noWait, onCallFailed: (error) => errors.push(error) })(records(3));
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });

  it('sends nothing for records without a new event or of a type nobody wants', async () => {
    const bus = flakyBus();
    const relay = makeRelay({ publisher: bus.publisher, readConfirmed: noConfirms, shouldPublish: (type) => type !== 'token', sleep: noWait });
    const result = await relay([{ sequenceNumber: 'summary' }, ...records(3, 'token')]);
    expect(result.batchItemFailures).toEqual([]);
    expect(bus.calls).toEqual([]);
  });

  it('keeps what it could not publish, by tenant, run and seqs, and reports those records handled', async () => {
    const bus = flakyBus(new Map([[2, 99], [3, 99]]));
    const failures = memoryFailedPublishes();
    const clock = { now: () => new Date('2026-11-23T11:00:00Z') };
    const result = await makeRelay({ publisher: bus.publisher, readConfirmed: noConfirms, shouldPublish: () => true, maxAttempts: 2, sleep: noWait, failures, clock })(records(4));
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
    await makeRelay({ publisher, readConfirmed: noConfirms, shouldPublish: () => true, maxAttempts: 1, sleep: noWait, failures })(mixed);
    expect([...failures.kept.values()].map(({ runId, seqs, types, reason }) => ({ runId, seqs, types, reason }))).toEqual([
      { runId: 'r-1', seqs: [1], types: ['run.progress'], reason: 'PutEvents failed: throttled' },
      { runId: 'r-2', seqs: [1], types: ['run.failed'], reason: 'PutEvents failed: throttled' },
    ]);
  });

  it('hands the records back to the stream when keeping the failures fails too', async () => {
    const bus = flakyBus(new Map([[1, 99]]));
    const errors: unknown[] = [];
    const relay = makeRelay({ publisher: bus.publisher, readConfirmed: noConfirms, shouldPublish: () => true, maxAttempts: 1, sleep: noWait, failures: memoryFailedPublishes({ failRecord: true }), onRecordFailed: (error) => errors.push(error) });
    const result = await relay(records(2));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'sn-1' }]);
    expect(errors).toEqual([expect.objectContaining({ message: 'queue unavailable' })]);
  });

  it('publishes a confirmed range read back from the run, in seq order, once, with the tenant', async () => {
    const bus = flakyBus();
    const run = storedRun(30);
    const result = await makeRelay({ publisher: bus.publisher, readConfirmed: run.readConfirmed, shouldPublish: () => true, sleep: noWait })([confirm('c1', 1, 12), confirm('c2', 13, 25)]);
    expect(result.batchItemFailures).toEqual([]);
    expect(seqsOf(bus.calls)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(bus.calls.map((call) => call.length)).toEqual([10, 10, 5]);
    expect(JSON.parse(bus.calls[0]?.[0]?.detail ?? '{}')).toMatchObject({ tenant: 'acme', runId: 'r', seq: 1 });
  });

  it('keeps producer-sequenced events and confirmed ranges in record order', async () => {
    const bus = flakyBus();
    const run = storedRun(3);
    const producer: RelayRecord = { sequenceNumber: 'p', detail: { ...detail(7), runId: 'producer-run' } };
    await makeRelay({ publisher: bus.publisher, readConfirmed: run.readConfirmed, shouldPublish: () => true, sleep: noWait })([confirm('c1', 1, 2), producer, confirm('c2', 3, 3)]);
    expect(bus.calls.flat().map((entry) => JSON.parse(entry.detail) as { runId: string; seq: number }).map(({ runId, seq }) => `${runId}:${seq}`)).toEqual(['r:1', 'r:2', 'producer-run:7', 'r:3']);
  });

  it('hands back a confirm it cannot read and every record after it, publishing only what came before', async () => {
    const bus = flakyBus();
    const errors: unknown[] = [];
    // The first read (c1) succeeds, the second (c2) fails.
    let reads = 0;
    const readConfirmed = (tenant: string, runId: string, range: { from: number; to: number }) =>
      ++reads === 2 ? Promise.reject(new Error('throttled')) : storedRun(10).readConfirmed(tenant, runId, range);
    const relay = makeRelay({ publisher: bus.publisher, readConfirmed, onReadFailed: (error) => errors.push(error), shouldPublish: () => true, sleep: noWait });
    const result = await relay([confirm('c1', 1, 2), confirm('c2', 3, 4), { sequenceNumber: 'p', detail: detail(9) }, confirm('c3', 5, 6)]);
    expect(seqsOf(bus.calls)).toEqual([1, 2]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'c2' }, { itemIdentifier: 'p' }, { itemIdentifier: 'c3' }]);
    expect(errors).toEqual([expect.objectContaining({ message: 'throttled' })]);
  });

  it('never publishes part of a range the table does not fully hold: the record goes back to the stream', async () => {
    const bus = flakyBus();
    const run = storedRun(5);
    const errors: unknown[] = [];
    const result = await makeRelay({ publisher: bus.publisher, readConfirmed: run.readConfirmed, onReadFailed: (error) => errors.push(error), shouldPublish: () => true, sleep: noWait })([confirm('c1', 4, 8)]);
    expect(bus.calls).toEqual([]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'c1' }]);
    expect(errors).toEqual([expect.objectContaining({ name: 'ConfirmedRangeIncompleteError' })]);
  });

  it('pages through a long range', async () => {
    const bus = flakyBus();
    const run = storedRun(250);
    await makeRelay({ publisher: bus.publisher, readConfirmed: run.readConfirmed, shouldPublish: () => true, sleep: noWait })([confirm('c1', 21, 250)]);
    expect(seqsOf(bus.calls)).toEqual(Array.from({ length: 230 }, (_, i) => i + 21));
    expect(run.reads).toEqual(['20+100', '120+100', '220+30']);
  });

  it('keeps a range it could not publish as a failure of those seqs, and hands a range record back once', async () => {
    const run = storedRun(20);
    const failures = memoryFailedPublishes();
    const clock = { now: () => new Date('2026-11-23T11:00:00Z') };
    const kept = await makeRelay({ publisher: flakyBus(new Map([[4, 99], [15, 99]])).publisher, readConfirmed: run.readConfirmed, shouldPublish: () => true, maxAttempts: 2, sleep: noWait, failures, clock })([confirm('c1', 1, 20)]);
    expect(kept.batchItemFailures).toEqual([]);
    expect([...failures.kept.values()].map(({ runId, seqs }) => ({ runId, seqs }))).toEqual([{ runId: 'r', seqs: [4, 15] }]);
    const handedBack = await makeRelay({ publisher: flakyBus(new Map([[4, 99], [15, 99]])).publisher, readConfirmed: run.readConfirmed, shouldPublish: () => true, maxAttempts: 2, sleep: noWait })([confirm('c1', 1, 20)]);
    expect(handedBack.batchItemFailures).toEqual([{ itemIdentifier: 'c1' }]);
  });

  it('publishes only the wanted types of a range', async () => {
    const bus = flakyBus();
    const store = { listEvents: () => Promise.resolve([{ ...detail(1, 'token') }, { ...detail(2) }, { ...detail(3, 'token') }]) };
    await makeRelay({ publisher: bus.publisher, readConfirmed: makeReadConfirmed(store), shouldPublish: (type) => type !== 'token', sleep: noWait })([confirm('c1', 1, 3)]);
    expect(seqsOf(bus.calls)).toEqual([2]);
  });
});
