import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '#shared/contract/event.ts';
import { BusyError } from '#shared/errors.ts';
import { toRunSummary } from '#shared/run/run-summary.ts';
import type { EventStore } from '#shared/ports.ts';
import { candidates, progressEvent, uniqueId } from '#test/support/events.ts';
import { faultyRunStorage, WriterCrashError, type CrashPoint } from '#test/support/faulty-run-storage.ts';
import type { StoreFactory } from './event-store.contract.ts';

/** Short, so a crashed claim is taken over within the test; the use case waits at most this long. */
const LEASE_SECONDS = 0.3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function allEvents(store: EventStore, runId: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (let afterSeq = 0; ; ) {
    const page = await store.listEvents('acme', runId, { afterSeq, limit: 100 });
    const last = page.at(-1);
    if (last === undefined) return events;
    events.push(...page);
    afterSeq = last.seq;
  }
}

/** Dense 1..n, each eventId once, and the summary agrees. */
async function expectDense(store: EventStore, runId: string, n: number): Promise<StoredEvent[]> {
  const events = await allEvents(store, runId);
  expect(events.map((event) => event.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(new Set(events.map((event) => event.eventId)).size).toBe(n);
  const state = await store.getRun('acme', runId);
  expect(state?.seqs).toEqual([[1, n]]);
  return events;
}

const batchOf = (runId: string, prefix: string, size: number) => candidates(Array.from({ length: size }, (_, i) => progressEvent(runId, { eventId: `${prefix}-${i + 1}` })));

async function crashingStore(factory: StoreFactory, crashAt: CrashPoint) {
  const store = await factory.make({ claimLeaseSeconds: LEASE_SECONDS, wrapStorage: (inner) => faultyRunStorage(inner, { crashAt }).storage });
  const [peer] = factory.peers(1);
  if (peer === undefined) throw new Error('no peer');
  return { store, peer };
}

/** Feature: a writer that crashes at any point leaves no permanent hole and blocks its run at most a lease. */
export function describeCrashFeatures(factory: StoreFactory): void {
  describe('writer crashes (server-sequenced)', () => {
    it('continues densely after a writer that crashed right after its claim, and a later resend of its batch lands after', async () => {
      const { store, peer } = await crashingStore(factory, 'after-claim');
      const runId = uniqueId('run');
      await peer.appendToRun('acme', runId, batchOf(runId, 'seed', 3));
      const crashed = batchOf(runId, 'crashed', 5);
      await expect(store.appendToRun('acme', runId, crashed)).rejects.toBeInstanceOf(WriterCrashError);
      const started = Date.now();
      expect(await peer.appendToRun('acme', runId, batchOf(runId, 'next', 2))).toEqual([{ outcome: 'accepted', seq: 4 }, { outcome: 'accepted', seq: 5 }]);
      expect(Date.now() - started).toBeLessThan(LEASE_SECONDS * 1000 + 5000);
      const resent = await peer.appendToRun('acme', runId, crashed);
      expect(resent.map((outcome) => outcome.outcome)).toEqual(Array(5).fill('accepted'));
      await expectDense(peer, runId, 10);
    });

    it('answers a resend after a crash past the writes with duplicate at the seqs its events landed at', async () => {
      const { store, peer } = await crashingStore(factory, 'after-items');
      const runId = uniqueId('run');
      await peer.appendToRun('acme', runId, batchOf(runId, 'seed', 2));
      const crashed = batchOf(runId, 'crashed', 3);
      await expect(store.appendToRun('acme', runId, crashed)).rejects.toBeInstanceOf(WriterCrashError);
      expect(await peer.appendToRun('acme', runId, crashed)).toEqual([3, 4, 5].map((seq) => ({ outcome: 'duplicate', seq })));
      await expectDense(peer, runId, 5);
      expect((await peer.getRun('acme', runId))?.last?.seq).toBe(5);
    });

    it('keeps what a writer that crashed halfway wrote, fills its holes with later events, and renumbers nothing', async () => {
      const { store, peer } = await crashingStore(factory, 'mid-items');
      const runId = uniqueId('run');
      await peer.appendToRun('acme', runId, batchOf(runId, 'seed', 2));
      const crashed = batchOf(runId, 'crashed', 4);
      await expect(store.appendToRun('acme', runId, crashed)).rejects.toBeInstanceOf(WriterCrashError);
      // Seqs 3 and 5 landed, 4 and 6 did not: readers see no further than 3.
      expect((await allEvents(peer, runId)).map((event) => event.seq)).toEqual([1, 2, 3]);
      const later = await peer.appendToRun('acme', runId, batchOf(runId, 'later', 3));
      expect(later).toEqual([4, 6, 7].map((seq) => ({ outcome: 'accepted', seq })));
      const resent = await peer.appendToRun('acme', runId, crashed);
      expect(resent).toEqual([
        { outcome: 'duplicate', seq: 3 },
        { outcome: 'accepted', seq: 8 },
        { outcome: 'duplicate', seq: 5 },
        { outcome: 'accepted', seq: 9 },
      ]);
      const events = await expectDense(peer, runId, 9);
      expect(events.filter((event) => event.eventId.startsWith('crashed')).map((event) => event.seq)).toEqual([3, 5, 8, 9]);
      // Every eventId keeps its first seq forever.
      expect(await peer.appendToRun('acme', runId, crashed)).toEqual([3, 8, 5, 9].map((seq) => ({ outcome: 'duplicate', seq })));
    });

    it('lets a paused writer whose lease ran out finish after the writer that took its claim over, storing nothing twice', async () => {
      const fault = { current: undefined as ReturnType<typeof faultyRunStorage> | undefined };
      const store = await factory.make({
        claimLeaseSeconds: LEASE_SECONDS,
        wrapStorage: (inner) => {
          fault.current = faultyRunStorage(inner, { pauseAfterClaim: true });
          return fault.current.storage;
        },
      });
      const [peer] = factory.peers(1);
      if (peer === undefined || fault.current === undefined) throw new Error('setup');
      const runId = uniqueId('run');
      await peer.appendToRun('acme', runId, batchOf(runId, 'seed', 2));
      const slow = store.appendToRun('acme', runId, batchOf(runId, 'slow', 3));
      await fault.current.reachedPause;
      await sleep(LEASE_SECONDS * 1000 + 100);
      const taken = await peer.appendToRun('acme', runId, batchOf(runId, 'fast', 2));
      expect(taken).toEqual([3, 4].map((seq) => ({ outcome: 'accepted', seq })));
      fault.current.release();
      const outcomes = await slow;
      expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
      const events = await expectDense(peer, runId, 7);
      for (const [index, outcome] of outcomes.entries()) {
        expect(events.find((event) => event.eventId === `slow-${index + 1}`)?.seq).toBe('seq' in outcome ? outcome.seq : undefined);
      }
    });
  });
}

/** Feature: a producer-sequenced writer that crashes leaves claims its resend takes up; nothing else is blocked or lost. */
export function describeProducerCrashFeatures(factory: StoreFactory): void {
  const batchAt = (runId: string, prefix: string, seqs: readonly number[]) => candidates(seqs.map((seq) => progressEvent(runId, { eventId: `${prefix}-${seq}`, seq })));

  describe('writer crashes (producer-sequenced)', () => {
    it('keeps a crashed writer’s seqs claimed (missing, refused to other events) until its resend lands them', async () => {
      const { store, peer } = await crashingStore(factory, 'after-claim');
      const runId = uniqueId('run');
      await peer.appendToRun('acme', runId, batchAt(runId, 'seed', [1, 2]));
      const crashed = batchAt(runId, 'crashed', [3, 4, 5]);
      await expect(store.appendToRun('acme', runId, crashed)).rejects.toBeInstanceOf(WriterCrashError);
      expect(await peer.appendToRun('acme', runId, batchAt(runId, 'next', [6]))).toEqual([{ outcome: 'accepted', seq: 6 }]);
      const [intruder] = await peer.appendToRun('acme', runId, batchAt(runId, 'intruder', [4]));
      expect(intruder).toMatchObject({ outcome: 'conflict', seq: 4 });
      expect(toRunSummary((await peer.getRun('acme', runId)) ?? fail())).toMatchObject({ lastSeq: 6, eventCount: 3, missingSeqs: [3, 4, 5] });
      expect(await peer.appendToRun('acme', runId, crashed)).toEqual([3, 4, 5].map((seq) => ({ outcome: 'accepted', seq })));
      await expectDense(peer, runId, 6);
      expect((await peer.getRun('acme', runId))?.reserved).toEqual([]);
    });

    it('confirms a crashed writer’s stored events on the next append, and answers its resend with duplicate', async () => {
      const { store, peer } = await crashingStore(factory, 'after-items');
      const runId = uniqueId('run');
      await peer.appendToRun('acme', runId, batchAt(runId, 'seed', [1]));
      const crashed = batchAt(runId, 'crashed', [2, 3]);
      await expect(store.appendToRun('acme', runId, crashed)).rejects.toBeInstanceOf(WriterCrashError);
      expect(await peer.appendToRun('acme', runId, batchAt(runId, 'next', [4]))).toEqual([{ outcome: 'accepted', seq: 4 }]);
      await expectDense(peer, runId, 4);
      expect(await peer.appendToRun('acme', runId, crashed)).toEqual([2, 3].map((seq) => ({ outcome: 'duplicate', seq })));
    });

    it('lands the rest of a batch that crashed halfway through its writes when it is resent, storing nothing twice', async () => {
      const { store, peer } = await crashingStore(factory, 'mid-items');
      const runId = uniqueId('run');
      const crashed = batchAt(runId, 'crashed', [1, 2, 3, 4]);
      await expect(store.appendToRun('acme', runId, crashed)).rejects.toBeInstanceOf(WriterCrashError);
      expect(await peer.appendToRun('acme', runId, crashed)).toEqual([
        { outcome: 'duplicate', seq: 1 },
        { outcome: 'accepted', seq: 2 },
        { outcome: 'duplicate', seq: 3 },
        { outcome: 'accepted', seq: 4 },
      ]);
      const events = await expectDense(peer, runId, 4);
      expect(events.map((event) => event.eventId)).toEqual([1, 2, 3, 4].map((seq) => `crashed-${seq}`));
    });
  });
}

function fail(): never {
  throw new Error('run not found');
}

/** Feature: readers see a dense prefix, so a reader that follows a run misses nothing and sees nothing twice. */
export function describeReaderFeatures(factory: StoreFactory): void {
  describe('readers', () => {
    it('lets a reader follow a run while many writers append and some crash, seeing every seq once and in order', async () => {
      await factory.make({ claimLeaseSeconds: LEASE_SECONDS });
      const writers = factory.peers(6);
      const reader = writers[0];
      if (reader === undefined) throw new Error('no reader');
      const runId = uniqueId('run');
      const seen: number[] = [];
      let writing = true;
      const follow = (async () => {
        for (let afterSeq = 0; ; ) {
          const page = await reader.listEvents('acme', runId, { afterSeq, limit: 7 });
          for (const event of page) seen.push(event.seq);
          afterSeq = page.at(-1)?.seq ?? afterSeq;
          if (page.length === 0) {
            if (!writing && afterSeq === ((await reader.getRun('acme', runId))?.last?.seq ?? 0)) return;
            await sleep(5);
          }
        }
      })();
      const crashing = async (crashAt: CrashPoint, round: number) => {
        const [store] = factory.peers(1, (inner) => faultyRunStorage(inner, { crashAt }).storage);
        if (store === undefined) throw new Error('no peer');
        await store.appendToRun('acme', runId, batchOf(runId, `crash-${crashAt}-${round}`, 4)).catch((error: unknown) => {
          if (!(error instanceof WriterCrashError)) throw error;
        });
      };
      await Promise.all([
        ...writers.map(async (writer, w) => {
          for (let round = 0; round < 4; round++) await appendAsAClientWould(writer, runId, batchOf(runId, `w${w}-r${round}`, 10));
        }),
        (async () => {
          for (let round = 0; round < 2; round++) for (const crashAt of ['after-claim', 'mid-items', 'after-items'] as const) await crashing(crashAt, round);
        })(),
      ]);
      // After the last crash, one more append (past a lease) settles whatever claim it left.
      if (writers[1] !== undefined) await appendAsAClientWould(writers[1], runId, batchOf(runId, 'sweep', 30));
      writing = false;
      await follow;
      const total = (await reader.getRun('acme', runId))?.last?.seq ?? 0;
      expect(total).toBeGreaterThanOrEqual(6 * 4 * 10 + 30);
      expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      await expectDense(reader, runId, total);
    }, 60_000);
  });
}

/**
 * A busy answer (429) is a valid answer under contention, and clients send the same batch again:
 * on a loaded machine six writers and six crashed claims can outlast one append's budget.
 */
async function appendAsAClientWould(store: EventStore, runId: string, batch: Parameters<EventStore['appendToRun']>[2]): Promise<void> {
  for (;;) {
    try {
      await store.appendToRun('acme', runId, batch);
      return;
    } catch (error: unknown) {
      if (!(error instanceof BusyError)) throw error;
    }
  }
}
