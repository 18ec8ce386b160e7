import { describe, expect, it } from 'vitest';
import type { RunEvent } from '#shared/contract/event.ts';
import { BusyError } from '#shared/errors.ts';
import type { Clock, EventStore } from '#shared/ports.ts';
import { toRunSummary } from '#shared/run/run-summary.ts';
import { candidates, progressEvent, uniqueId } from '#test/support/events.ts';
import type { RunStorage } from '#shared/ports.ts';
import { describeCrashFeatures, describeProducerCrashFeatures, describeReaderFeatures } from './run-crashes.contract.ts';

export type StoreOptions = {
  maxEventsPerRun?: number;
  clock?: Clock;
  /** Server-sequenced claims' lease (peers made after this get it too). */
  claimLeaseSeconds?: number;
  /** Wraps this store's run storage (test/support/faulty-run-storage.ts), not its peers'. */
  wrapStorage?: (storage: RunStorage) => RunStorage;
};

export type StoreFactory = {
  /** A store on fresh, empty storage, limited to `maxEventsPerRun` events per run. */
  make(options?: StoreOptions): Promise<EventStore>;
  /** More stores on the same storage as the last `make()`: concurrent writers from other processes (optionally with faulty run storage). */
  peers(count: number, wrapStorage?: (storage: RunStorage) => RunStorage): EventStore[];
};

async function retryWhileBusy<T>(append: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await append();
    } catch (error: unknown) {
      if (!(error instanceof BusyError)) throw error;
    }
  }
}

async function summaryOf(store: EventStore | undefined, runId: string, tenant = 'acme') {
  const state = await store?.getRun(tenant, runId);
  if (state === undefined) throw new Error(`run ${runId} not found`);
  return toRunSummary(state);
}

const at = (second: number) => `2026-11-23T10:00:${String(second).padStart(2, '0')}.000Z`;

/** Feature: dense seqs 1..N under concurrent writers. */
function serverSequencing(factory: StoreFactory): void {
  describe('server sequencing', () => {
    it('gives a server-sequenced run dense seqs 1..N in request order', async () => {
      const store = await factory.make();
      const runId = uniqueId('run');
      const outcomes = await store.appendToRun('acme', runId, candidates([progressEvent(runId), progressEvent(runId), progressEvent(runId)]));
      expect(outcomes).toEqual([1, 2, 3].map((seq) => ({ outcome: 'accepted', seq })));
      const more = await store.appendToRun('acme', runId, candidates([progressEvent(runId)]));
      expect(more).toEqual([{ outcome: 'accepted', seq: 4 }]);
      expect((await store.listEvents('acme', runId, { afterSeq: 0, limit: 10 })).map((event) => event.seq)).toEqual([1, 2, 3, 4]);
    });
    // Peers share no memory (separate Lambdas): every collision is resolved by the store's conditions.
    // Writers to one run take turns (one claim at a time), so on DynamoDB Local this takes ~30 s:
    // 40 turns of five round trips each, plus the waits between them. That is the point of the test.
    it('gives seqs exactly 1..1000 to 20 concurrent writers in other processes, 50 events each', async () => {
      await factory.make();
      const writers = factory.peers(20);
      const runId = uniqueId('run');
      const results = await Promise.all(
        writers.map(async (store) => {
          const seqs: number[] = [];
          for (let batch = 0; batch < 2; batch++) {
            const events = candidates(Array.from({ length: 25 }, () => progressEvent(runId)));
            // A client resends when told the run is busy; the resend must not duplicate anything.
            const outcomes = await retryWhileBusy(() => store.appendToRun('acme', runId, events));
            for (const outcome of outcomes) {
              expect(['accepted', 'duplicate']).toContain(outcome.outcome);
              if ('seq' in outcome && outcome.seq !== undefined) seqs.push(outcome.seq);
            }
          }
          return seqs;
        }),
      );
      const all = results.flat().sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      const listed = [];
      for (let afterSeq = 0; ; ) {
        const page = (await writers[0]?.listEvents('acme', runId, { afterSeq, limit: 400 })) ?? [];
        const last = page.at(-1);
        if (last === undefined) break;
        listed.push(...page);
        afterSeq = last.seq;
      }
      expect(listed.map((event) => event.seq)).toEqual(all);
      expect(new Set(listed.map((event) => event.eventId)).size).toBe(1000);
      const summary = await summaryOf(writers[0], runId);
      expect(summary).toMatchObject({ lastSeq: 1000, eventCount: 1000, missingSeqs: [] });
    }, 420_000); // optimistic retries between 8 writers slow down superlinearly when CI runs a heavy file beside this one (130 s seen; 8 s alone)
  });
}

/** Feature: duplicates keep their first seq; the same eventId with another body conflicts. */
function idempotency(factory: StoreFactory): void {
  describe('idempotency', () => {
    it('answers a resent batch with duplicate and the original seqs, storing nothing new', async () => {
      const store = await factory.make();
      const runId = uniqueId('run');
      const batch = candidates([progressEvent(runId), progressEvent(runId), progressEvent(runId)]);
      await store.appendToRun('acme', runId, candidates([progressEvent(runId)]));
      const first = await store.appendToRun('acme', runId, batch);
      const second = await store.appendToRun('acme', runId, batch);
      expect(first).toEqual([2, 3, 4].map((seq) => ({ outcome: 'accepted', seq })));
      expect(second).toEqual([2, 3, 4].map((seq) => ({ outcome: 'duplicate', seq })));
      expect(await store.listEvents('acme', runId, { afterSeq: 0, limit: 100 })).toHaveLength(4);
    });
    it('answers concurrent resends of one batch with one accepted copy and duplicates', async () => {
      await factory.make();
      const runId = uniqueId('run');
      const batch = candidates(Array.from({ length: 10 }, () => progressEvent(runId)));
      const answers = await Promise.all(factory.peers(5).map((store) => store.appendToRun('acme', runId, batch)));
      const accepted = answers.flat().filter((outcome) => outcome.outcome === 'accepted');
      expect(accepted).toHaveLength(10);
      for (const answer of answers) expect(answer.map((outcome) => ('seq' in outcome ? outcome.seq : 0))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });
    it('treats a repeated eventId inside one request as a duplicate of its first copy', async () => {
      const store = await factory.make();
      const runId = uniqueId('run');
      const event = progressEvent(runId);
      const outcomes = await store.appendToRun('acme', runId, candidates([event, progressEvent(runId), event]));
      expect(outcomes).toEqual([
        { outcome: 'accepted', seq: 1 },
        { outcome: 'accepted', seq: 2 },
        { outcome: 'duplicate', seq: 1 },
      ]);
    });
    it('answers conflict when an eventId comes back with a different body', async () => {
      const store = await factory.make();
      const runId = uniqueId('run');
      const event = progressEvent(runId);
      await store.appendToRun('acme', runId, candidates([event]));
      const [outcome] = await store.appendToRun('acme', runId, candidates([{ ...event, occurredAt: at(59) }]));
      expect(outcome).toMatchObject({ outcome: 'conflict', seq: 1 });
      expect(await store.listEvents('acme', runId, { afterSeq: 0, limit: 10 })).toHaveLength(1);
    });
  });
}

/** Feature: producer seqs, gaps, seq conflicts and mixed modes. */
function producerSequencing(factory: StoreFactory): void {
  describe('producer sequencing', () => {
    it('stores producer-sequenced events at their seq and reports the gap until it is filled', async () => {
      const store = await factory.make();
      const runId = uniqueId('run');
      const withSeq = (seq: number) => progressEvent(runId, { seq });
      const first = await store.appendToRun('acme', runId, candidates([withSeq(1), withSeq(2), withSeq(5)]));
      expect(first).toEqual([1, 2, 5].map((seq) => ({ outcome: 'accepted', seq })));
      let summary = await summaryOf(store, runId);
      expect(summary).toMatchObject({ sequencing: 'producer', lastSeq: 5, eventCount: 3, missingSeqs: [3, 4] });

      await store.appendToRun('acme', runId, candidates([withSeq(4)]));
      summary = await summaryOf(store, runId);
      expect(summary.missingSeqs).toEqual([3]);

      await store.appendToRun('acme', runId, candidates([withSeq(3)]));
      summary = await summaryOf(store, runId);
      expect(summary).toMatchObject({ lastSeq: 5, eventCount: 5, missingSeqs: [] });
      expect((await store.listEvents('acme', runId, { afterSeq: 0, limit: 10 })).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
    });
    it('answers conflict when a producer seq is taken by another eventId, and duplicate for a resend', async () => {
      const store = await factory.make();
      const runId = uniqueId('run');
      const original = progressEvent(runId, { seq: 1 });
      await store.appendToRun('acme', runId, candidates([original]));
      const [taken] = await store.appendToRun('acme', runId, candidates([progressEvent(runId, { seq: 1 })]));
      expect(taken).toMatchObject({ outcome: 'conflict', seq: 1, message: expect.stringContaining('seq 1 is already taken') });
      const [resent] = await store.appendToRun('acme', runId, candidates([original]));
      expect(resent).toEqual({ outcome: 'duplicate', seq: 1 });
    });
    it('answers conflict when a run mixes server and producer sequencing', async () => {
      const store = await factory.make();
      const serverRun = uniqueId('run');
      await store.appendToRun('acme', serverRun, candidates([progressEvent(serverRun)]));
      const [intoServer] = await store.appendToRun('acme', serverRun, candidates([progressEvent(serverRun, { seq: 2 })]));
      expect(intoServer).toMatchObject({ outcome: 'conflict', message: expect.stringContaining('server-sequenced') });

      const producerRun = uniqueId('run');
      await store.appendToRun('acme', producerRun, candidates([progressEvent(producerRun, { seq: 1 })]));
      const [intoProducer] = await store.appendToRun('acme', producerRun, candidates([progressEvent(producerRun)]));
      expect(intoProducer).toMatchObject({ outcome: 'conflict', message: expect.stringContaining('producer-sequenced') });
      expect(await store.listEvents('acme', producerRun, { afterSeq: 0, limit: 10 })).toHaveLength(1);
    });
  });
}

/** Feature: maxEventsPerRun. */
function runLimits(factory: StoreFactory): void {
  describe('run limits', () => {
    it('rejects events past the per-run limit and keeps the ones before it', async () => {
      const store = await factory.make({ maxEventsPerRun: 3 });
      const runId = uniqueId('run');
      const outcomes = await store.appendToRun('acme', runId, candidates(Array.from({ length: 5 }, () => progressEvent(runId))));
      expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['accepted', 'accepted', 'accepted', 'rejected', 'rejected']);
      expect(outcomes[3]).toHaveProperty('message', expect.stringContaining('limit of 3 events'));

      const producerRun = uniqueId('run');
      const [beyond] = await store.appendToRun('acme', producerRun, candidates([progressEvent(producerRun, { seq: 4 })]));
      expect(beyond).toMatchObject({ outcome: 'rejected', field: 'seq' });
    });
  });
}

/** Feature: status in seq order, stats equal to a recount, tenants apart. */
function runState(factory: StoreFactory): void {
  describe('run state', () => {
    it('folds status in seq order: a late event never moves it back, and terminal is sticky', async () => {
      const store = await factory.make();
      const runId = uniqueId('run');
      const event = (seq: number, type: string, payload?: Record<string, unknown>) =>
        ({ eventId: `e${seq}`, runId, seq, type, occurredAt: at(seq), ...(payload ? { payload } : {}) }) as RunEvent;
      await store.appendToRun('acme', runId, candidates([event(1, 'run.queued')]));
      expect((await summaryOf(store, runId)).status).toBe('queued');
      await store.appendToRun('acme', runId, candidates([event(4, 'run.completed', { result: { answer: 42 }, title: 'done' })]));
      await store.appendToRun('acme', runId, candidates([event(2, 'run.started'), event(5, 'run.progress', { progress: 0.9 })]));
      await store.appendToRun('acme', runId, candidates([event(3, 'run.progress', { progress: 0.5 })]));
      const summary = await summaryOf(store, runId);
      expect(summary).toMatchObject({
        status: 'completed',
        startedAt: at(2),
        endedAt: at(4),
        durationMs: 2000,
        result: { answer: 42 },
        title: 'done',
        lastSeq: 5,
        eventCount: 5,
        lastEventAt: at(5),
      });
      expect(await store.listEvents('acme', runId, { afterSeq: 4, limit: 10 })).toHaveLength(1);
    });
    it('keeps the tenant’s counts by status equal to a recount of its runs under concurrent mixed writers', async () => {
      await factory.make();
      const writers = factory.peers(8);
      const tenant = uniqueId('tenant');
      const endings = ['run.completed', 'run.failed', 'run.cancelled', 'run.timed_out', undefined, 'queued'] as const;
      const runs = Array.from({ length: 24 }, (_, i) => ({ runId: `r${i}`, ending: endings[i % endings.length] }));
      await Promise.all(
        runs.map(async ({ runId, ending }, i) => {
          const store = writers[i % writers.length];
          const event = (eventId: string, type: string, payload?: Record<string, unknown>) =>
            ({ eventId, runId, type, occurredAt: at(1), ...(payload ? { payload } : {}) }) as RunEvent;
          const append = (events: RunEvent[]) => retryWhileBusy(() => store?.appendToRun(tenant, runId, candidates(events)) ?? Promise.resolve([]));
          await append([event('q', 'run.queued')]);
          if (ending === 'queued') return;
          await append([event('s', 'run.started'), event('p', 'run.progress', { progress: 0.5 })]);
          if (ending === 'run.failed') await append([event('f', ending, { error: { message: 'x' } })]);
          else if (ending !== undefined) await append([event('e', ending)]);
          // A late event after the end changes nothing.
          if (ending !== undefined) await append([event('late', 'run.heartbeat')]);
        }),
      );
      const recount = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0, timed_out: 0 };
      for (const { runId } of runs) recount[(await summaryOf(writers[0], runId, tenant)).status] += 1;
      expect(await writers[0]?.getStats(tenant)).toEqual(recount);
      expect(recount).toEqual({ queued: 4, running: 4, completed: 4, failed: 4, cancelled: 4, timed_out: 4 });
    }, 120_000);
    it('keeps one tenant out of another tenant’s run of the same id', async () => {
      const store = await factory.make();
      const runId = uniqueId('run');
      await store.appendToRun('acme', runId, candidates([progressEvent(runId)]));
      expect(await store.getRun('globex', runId)).toBeUndefined();
      expect(await store.listEvents('globex', runId, { afterSeq: 0, limit: 10 })).toEqual([]);
      const [outcome] = await store.appendToRun('globex', runId, candidates([progressEvent(runId)]));
      expect(outcome).toEqual({ outcome: 'accepted', seq: 1 });
    });
  });
}

/** Feature: run indexes and stale runs. */
function runLists(factory: StoreFactory): void {
  describe('run lists', () => {
    /** A clock the test moves: run lists order by updated-at to the minute. */
    const steppedClock = () => {
      let current = Date.parse('2026-11-23T10:00:00.000Z');
      return { clock: { now: () => new Date(current) } satisfies Clock, advanceMinutes: (minutes: number) => void (current += minutes * 60_000) };
    };
    const event = (runId: string, eventId: string, type: string, extra: Record<string, unknown> = {}) => ({ eventId, runId, type, occurredAt: at(1), ...extra }) as RunEvent;

    it('lists a tenant’s runs most recently updated first, by status and by thread, each once over pages', async () => {
      const { clock, advanceMinutes } = steppedClock();
      const store = await factory.make({ clock });
      const tenant = uniqueId('tenant');
      const append = (runId: string, events: RunEvent[]) => store.appendToRun(tenant, runId, candidates(events));
      for (let i = 0; i < 7; i++) {
        const runId = `run-${i}`;
        await append(runId, [event(runId, 's', 'run.started', i < 4 ? { threadId: 'thread-a' } : {})]);
        if (i % 2 === 0) await append(runId, [event(runId, 'c', 'run.completed')]);
        advanceMinutes(1);
      }
      await append('run-1', [event('run-1', 'late', 'run.progress', { payload: { progress: 0.9 } })]); // now the most recent
      await store.appendToRun('other', 'run-0', candidates([event('run-0', 's', 'run.started')]));

      const ids = (page: { runs: Array<{ runId: string }> }) => page.runs.map((run) => run.runId);
      expect(ids(await store.listRuns(tenant, { limit: 10 }))).toEqual(['run-1', 'run-6', 'run-5', 'run-4', 'run-3', 'run-2', 'run-0']);
      expect(ids(await store.listRuns(tenant, { status: 'running', limit: 10 }))).toEqual(['run-1', 'run-5', 'run-3']);
      expect(ids(await store.listRuns(tenant, { status: 'completed', limit: 10 }))).toEqual(['run-6', 'run-4', 'run-2', 'run-0']);
      expect(ids(await store.listRuns(tenant, { status: 'failed', limit: 10 }))).toEqual([]);
      expect(ids(await store.listRuns(tenant, { threadId: 'thread-a', limit: 10 }))).toEqual(['run-1', 'run-3', 'run-2', 'run-0']);
      expect(ids(await store.listRuns(tenant, { threadId: 'thread-a', status: 'completed', limit: 10 }))).toEqual(['run-2', 'run-0']);
      expect(ids(await store.listRuns('other', { limit: 10 }))).toEqual(['run-0']);

      // Pages end exactly: no empty page after the last run.
      const pagesOf = async (query: { limit: number; threadId?: string }) => {
        const pages: string[][] = [];
        let before: string | undefined;
        for (let count = 0; count < 10; count++) {
          const page = await store.listRuns(tenant, { ...query, ...(before === undefined ? {} : { before }) });
          pages.push(ids(page));
          if (page.nextBefore === null) break;
          before = page.nextBefore;
        }
        return pages;
      };
      expect(await pagesOf({ limit: 3 })).toEqual([['run-1', 'run-6', 'run-5'], ['run-4', 'run-3', 'run-2'], ['run-0']]);
      expect(await pagesOf({ limit: 2, threadId: 'thread-a' })).toEqual([['run-1', 'run-3'], ['run-2', 'run-0']]);
    });

    it('finds running runs past their heartbeat timeout or max duration, and no others', async () => {
      const { clock, advanceMinutes } = steppedClock();
      const store = await factory.make({ clock });
      const tenant = uniqueId('tenant');
      const append = (runId: string, events: RunEvent[]) => store.appendToRun(tenant, runId, candidates(events));
      await append('silent', [event('silent', 's', 'run.started')]);
      await append('quick', [event('quick', 's', 'run.started', { payload: { heartbeatTimeoutSeconds: 60 } })]);
      await append('short', [event('short', 's', 'run.started', { payload: { maxDurationSeconds: 240, heartbeatTimeoutSeconds: 3600 } })]);
      await append('done', [event('done', 's', 'run.started'), event('done', 'c', 'run.completed')]);
      await append('waiting', [event('waiting', 'q', 'run.queued')]);
      await append('busy', [event('busy', 's', 'run.started')]);
      const stale = async () => (await store.listStaleRuns(clock.now(), 100)).filter((ref) => ref.tenant === tenant).map((ref) => ref.runId).sort();

      advanceMinutes(0.5);
      expect(await stale()).toEqual([]);
      const expected: Record<number, string[]> = { 1: ['quick'], 3: ['quick'], 4: ['quick', 'short'], 5: ['quick', 'short', 'silent'], 7: ['quick', 'short', 'silent'] };
      for (let minute = 1; minute <= 7; minute++) {
        advanceMinutes(1);
        // The busy run writes every minute: it never goes stale.
        await append('busy', [event('busy', `h${minute}`, 'run.heartbeat')]);
        if (expected[minute] !== undefined) expect(await stale(), `minute ${minute}`).toEqual(expected[minute]);
      }
    });
  });
}

/**
 * The event store contract (docs/contract.md, "Sequencing and idempotency"), one function per
 * feature (as emmett's features.ts): every adapter runs all of them.
 */
export const eventStoreFeatures = { serverSequencing, idempotency, producerSequencing, runLimits, runState, runLists, crashes: describeCrashFeatures, producerCrashes: describeProducerCrashFeatures, readers: describeReaderFeatures };

export function describeEventStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name} event store contract`, () => {
    for (const feature of Object.values(eventStoreFeatures)) feature(factory);
  });
}
