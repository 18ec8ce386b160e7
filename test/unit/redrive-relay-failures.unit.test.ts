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
    expect(result).toEqual({ redriven: 1, failed: 0, missingSeqs: 0 });
    expect(failures.kept.size).toBe(0);
    expect(progress).toEqual(['1 of 1']);
  });

  it('keeps a failure whose events the bus still refuses, and redrives the others', async () => {
    const store = await storeWithRun('ok', 2);
    await store.appendToRun('acme', 'stuck', candidates([progressEvent('stuck', { eventId: 's1' })]));
    const failures = memoryFailedPublishes();
    await failures.record([failure('stuck', [1]), failure('ok', [1, 2])]);

    const result = await makeRedriveRelayFailures({ failures, store, publisher: bus(['stuck']).publisher })();

    expect(result).toEqual({ redriven: 1, failed: 1, missingSeqs: 0 });
    expect([...failures.kept.values()].map((kept) => kept.runId)).toEqual(['stuck']);
  });

  it('counts seqs the table no longer has instead of waiting for them forever', async () => {
    const store = await storeWithRun('r', 2);
    const failures = memoryFailedPublishes();
    await failures.record([failure('r', [2, 3, 4])]);
    const target = bus();

    const result = await makeRedriveRelayFailures({ failures, store, publisher: target.publisher })();

    expect(result).toEqual({ redriven: 1, failed: 0, missingSeqs: 2 });
    expect(target.seqsOf('r')).toEqual([2]);
  });

  it('deletes nothing when publishing throws: the failure is still there for the next redrive', async () => {
    const store = await storeWithRun('r', 1);
    const failures = memoryFailedPublishes();
    await failures.record([failure('r', [1])]);
    const publisher: EventPublisher = { putEntries: () => Promise.reject(new Error('no credentials')) };

    await expect(makeRedriveRelayFailures({ failures, store, publisher })()).rejects.toThrow('no credentials');

    expect(failures.kept.size).toBe(1);
  });
});
