import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '#adapters/memory/memory-event-store.ts';
import type { BusEntry, EventPublisher, FailedPublish } from '#shared/ports.ts';
import { makeRedriveRelayFailures } from '#shared/relay/redrive-relay-failures.ts';
import { candidates, progressEvent } from '#test/support/events.ts';
import { memoryFailedPublishes } from '#test/support/failed-publishes.ts';

const clock = { now: () => new Date('2026-11-23T10:00:00Z') };

async function storeWithRun(runId: string, count: number): Promise<MemoryEventStore> {
  const store = new MemoryEventStore({ clock, limits: { maxEventsPerRun: 1000, retentionDays: 30 } });
  await store.appendToRun('acme', runId, candidates(Array.from({ length: count }, (_, i) => progressEvent(runId, { eventId: `e${i + 1}` }))));
  return store;
}

function failure(runId: string, seqs: number[]): FailedPublish {
  return { tenant: 'acme', runId, seqs, types: ['run.progress'], reason: 'throttled', failedAt: '2026-11-23T10:00:00Z' };
}

/** A bus that keeps what it accepted and refuses every entry of the runs it is told to. */
function bus(refuseRuns: string[] = []) {
  const accepted: BusEntry[] = [];
  const publisher: EventPublisher = {
    putEntries: (entries) => {
      const refused: number[] = [];
      entries.forEach((entry, index) => {
        if (refuseRuns.some((runId) => entry.detail.includes(`"runId":"${runId}"`))) refused.push(index);
        else accepted.push(entry);
      });
      return Promise.resolve(refused);
    },
  };
  return { publisher, accepted, seqsOf: (runId: string) => accepted.map((entry) => JSON.parse(entry.detail) as { runId: string; seq: number; tenant: string }).filter((detail) => detail.runId === runId).map((detail) => detail.seq) };
}

describe('redriving relay failures', () => {
  it('reads the failed seqs back from the store, publishes them with their tenant, then removes the failure', async () => {
    // Given a run of 25 stored events of which the relay failed to publish 3, 12 and 20-25
    const store = await storeWithRun('r', 25);
    const failures = memoryFailedPublishes();
    await failures.record([failure('r', [3, 12, 20, 21, 22, 23, 24, 25])]);
    const target = bus();
    const progress: string[] = [];

    // When the failures are redriven
    const result = await makeRedriveRelayFailures({ failures, store, publisher: target.publisher, onProgress: (done, total) => progress.push(`${done} of ${total}`) })();

    // Then exactly those events are on the bus, in the published shape, and the failure is gone
    expect(target.seqsOf('r')).toEqual([3, 12, 20, 21, 22, 23, 24, 25]);
    expect(JSON.parse(target.accepted[0]?.detail ?? '{}')).toMatchObject({ tenant: 'acme', runId: 'r', seq: 3, eventId: 'e3' });
    expect(target.accepted[0]).toMatchObject({ source: 'runledger', detailType: 'run.progress' });
    expect(result).toEqual({ redriven: 1, failed: 0, missingSeqs: 0, outOfTime: false });
    expect(failures.kept.size).toBe(0);
    expect(progress).toEqual(['1 of 1']);
  });

  it('keeps a failure whose events the bus still refuses, and redrives the others', async () => {
    const store = await storeWithRun('ok', 2);
    await store.appendToRun('acme', 'stuck', candidates([progressEvent('stuck', { eventId: 's1' })]));
    const failures = memoryFailedPublishes();
    await failures.record([failure('stuck', [1]), failure('ok', [1, 2])]);

    const result = await makeRedriveRelayFailures({ failures, store, publisher: bus(['stuck']).publisher })();

    expect(result).toEqual({ redriven: 1, failed: 1, missingSeqs: 0, outOfTime: false });
    expect([...failures.kept.values()].map((kept) => kept.runId)).toEqual(['stuck']);
  });

  it('counts seqs the table no longer has instead of waiting for them forever', async () => {
    const store = await storeWithRun('r', 2);
    const failures = memoryFailedPublishes();
    await failures.record([failure('r', [2, 3, 4])]);
    const target = bus();

    const result = await makeRedriveRelayFailures({ failures, store, publisher: target.publisher })();

    expect(result).toEqual({ redriven: 1, failed: 0, missingSeqs: 2, outOfTime: false });
    expect(target.seqsOf('r')).toEqual([2]);
  });

  it('keeps a failure whose PutEvents call throws, says why, and goes on with the next one', async () => {
    // Given two failures, the first of a run whose every PutEvents call fails
    const store = await storeWithRun('ok', 1);
    await store.appendToRun('acme', 'throws', candidates([progressEvent('throws', { eventId: 't1' })]));
    const failures = memoryFailedPublishes();
    await failures.record([failure('throws', [1]), failure('ok', [1])]);
    const target = bus();
    const publisher: EventPublisher = {
      putEntries: (entries) => (entries.some((entry) => entry.detail.includes('"runId":"throws"')) ? Promise.reject(new Error('no credentials')) : target.publisher.putEntries(entries)),
    };
    const reasons: Array<string | undefined> = [];

    // When they are redriven
    const result = await makeRedriveRelayFailures({ failures, store, publisher, onProgress: (_done, _total, _failure, _outcome, reason) => reasons.push(reason) })();

    // Then the first is kept with the call's error as its reason, and the second was published
    expect(result).toEqual({ redriven: 1, failed: 1, missingSeqs: 0, outOfTime: false });
    expect(reasons).toEqual(['PutEvents failed: no credentials', undefined]);
    expect([...failures.kept.values()].map((kept) => kept.runId)).toEqual(['throws']);
    expect(target.seqsOf('ok')).toEqual([1]);
  });

  it('releases what it kept at the end of the pass, so the next pass tries it again', async () => {
    const store = await storeWithRun('r', 1);
    const failures = memoryFailedPublishes();
    await failures.record([failure('r', [1])]);
    const redrive = makeRedriveRelayFailures({ failures, store, publisher: bus(['r']).publisher });

    expect(await redrive()).toMatchObject({ failed: 1 });
    expect(await redrive()).toMatchObject({ failed: 1 });
    expect(failures.kept.size).toBe(1);
  });

  it('stops when its time budget is spent, leaving the rest kept for the next pass', async () => {
    // Given three failures and time for one
    const store = await storeWithRun('r', 3);
    const failures = memoryFailedPublishes();
    await failures.record([failure('r', [1]), failure('r', [2]), failure('r', [3])]);
    const target = bus();
    let tries = 0;

    const result = await makeRedriveRelayFailures({ failures, store, publisher: target.publisher })({ hasTime: () => tries++ < 1 });

    expect(result).toEqual({ redriven: 1, failed: 0, missingSeqs: 0, outOfTime: true });
    expect(target.seqsOf('r')).toEqual([1]);
    expect(failures.kept.size).toBe(2);
    // And the next pass, with time, takes the two left
    expect(await makeRedriveRelayFailures({ failures, store, publisher: target.publisher })()).toMatchObject({ redriven: 2 });
  });

  it('redrives only the failures it is told to, leaving the others untouched for any pass', async () => {
    const store = await storeWithRun('mine', 1);
    await store.appendToRun('acme', 'theirs', candidates([progressEvent('theirs', { eventId: 'x1' })]));
    const failures = memoryFailedPublishes();
    await failures.record([failure('theirs', [1]), failure('mine', [1])]);
    const target = bus();

    const result = await makeRedriveRelayFailures({ failures, store, publisher: target.publisher })({ which: (kept) => kept.failure.runId === 'mine' });

    expect(result).toMatchObject({ redriven: 1, failed: 0 });
    expect(target.seqsOf('theirs')).toEqual([]);
    expect((await failures.receive(10)).map((kept) => kept.failure.runId)).toEqual(['theirs']);
  });

  it('releases what it holds when reading the store fails, and rejects', async () => {
    const failures = memoryFailedPublishes();
    await failures.record([failure('r', [1])]);
    class UnreadableStore extends MemoryEventStore {
      override listEvents(): Promise<never> {
        return Promise.reject(new Error('table unavailable'));
      }
    }
    const broken = new UnreadableStore({ clock, limits: { maxEventsPerRun: 1000, retentionDays: 30 } });

    await expect(makeRedriveRelayFailures({ failures, store: broken, publisher: bus().publisher })()).rejects.toThrow('table unavailable');

    expect(failures.kept.size).toBe(1);
    expect(await failures.receive(10)).toHaveLength(1);
  });
});
