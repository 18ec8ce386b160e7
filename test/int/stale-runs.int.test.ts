import { describe, expect, it } from 'vitest';
import { DynamoDbEventStore } from '#adapters/dynamodb/dynamodb-event-store.ts';
import { MemoryEventStore } from '#adapters/memory/memory-event-store.ts';
import { makeIngestEvents } from '#shared/ingest/make-ingest-events.ts';
import type { Clock, EventStore, StoreLimits } from '#shared/ports.ts';
import { toRunSummary } from '#shared/run/run-summary.ts';
import { DEFAULT_STALE_POLICY } from '#shared/run/staleness.ts';
import { makeDetectStaleRuns } from '#shared/stale/detect-stale-runs.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';

const limits: StoreLimits = { maxEventsPerRun: 1000, retentionDays: 30, stalePolicy: DEFAULT_STALE_POLICY };

const adapters: Array<[string, (clock: Clock) => Promise<EventStore>]> = [
  ['in-memory', (clock) => Promise.resolve(new MemoryEventStore({ clock, limits }))],
  [
    'DynamoDB Local',
    async (clock) => {
      const table = await makeTestTable();
      return new DynamoDbEventStore({ client: table.documentClient, tableName: table.tableName, clock, limits });
    },
  ],
];

describe.each(adapters)('stale-run detection on the %s store (injected clock, no sleeps)', (_name, makeStore) => {
  async function setUp() {
    let now = Date.parse('2026-11-23T10:00:10.000Z');
    const clock: Clock = { now: () => new Date(now) };
    const store = await makeStore(clock);
    const ingest = makeIngestEvents({ store });
    const detect = makeDetectStaleRuns({ store, ingest, policy: DEFAULT_STALE_POLICY });
    const send = async (runId: string, events: Array<Record<string, unknown>>) => {
      const answer = await ingest({ tenant: 'acme', pathRunId: runId, body: { events: events.map((event) => ({ occurredAt: '2026-11-23T10:00:00Z', ...event })) } });
      expect(answer.outcome).toBe('all_stored');
    };
    const timedOutEvents = async (runId: string) => (await store.listEvents('acme', runId, { afterSeq: 0, limit: 100 })).filter((event) => event.type === 'run.timed_out');
    return { store, detect, send, timedOutEvents, advanceSeconds: (seconds: number) => void (now += seconds * 1000), now: () => new Date(now) };
  }

  it('times out a silent run exactly once, however often and concurrently the detector runs, and leaves a healthy run alone', async () => {
    const { store, detect, send, timedOutEvents, advanceSeconds, now } = await setUp();
    await send('silent', [{ eventId: 's', type: 'run.started' }, { eventId: 'p', type: 'run.progress', payload: { progress: 0.1 } }]);
    await send('healthy', [{ eventId: 's', type: 'run.started' }]);
    await send('finished', [{ eventId: 's', type: 'run.started' }, { eventId: 'c', type: 'run.completed' }]);
    await send('waiting', [{ eventId: 'q', type: 'run.queued' }]);

    for (let minute = 1; minute <= 10; minute++) {
      advanceSeconds(60);
      await send('healthy', [{ eventId: `h${minute}`, type: 'run.heartbeat' }]);
      const reports = await Promise.all([detect(now()), detect(now())]);
      const timedOut = reports.flatMap((report) => report.timedOut.map((ref) => ref.runId));
      // Silent since 10:00:10, timeout 300 s: due at 10:05:10, seen by the 10:05:10 pass.
      expect(timedOut, `minute ${minute}`).toEqual(minute === 5 ? ['silent'] : []);
    }

    const [event, ...more] = await timedOutEvents('silent');
    expect(more).toEqual([]);
    // Due by the server's clock; dated on the producer's (its last event, 10:00:00, plus 300 s).
    expect(event).toMatchObject({ seq: 3, type: 'run.timed_out', occurredAt: '2026-11-23T10:05:00.000Z', payload: { timeoutSeconds: 300 } });
    const silent = await store.getRun('acme', 'silent');
    expect(silent === undefined ? undefined : toRunSummary(silent)).toMatchObject({ status: 'timed_out', durationMs: 300_000 });
    for (const runId of ['healthy', 'finished', 'waiting']) expect(await timedOutEvents(runId), runId).toEqual([]);
  });

  it('honours a run’s own heartbeatTimeoutSeconds and maxDurationSeconds, and gives a producer-sequenced run the next seq', async () => {
    const { detect, send, timedOutEvents, advanceSeconds, now } = await setUp();
    await send('eager', [{ eventId: 's', seq: 1, type: 'run.started', payload: { heartbeatTimeoutSeconds: 30 } }, { eventId: 't', seq: 2, type: 'token', payload: { text: 'a' } }]);
    await send('bounded', [{ eventId: 's', type: 'run.started', payload: { maxDurationSeconds: 150, heartbeatTimeoutSeconds: 3600 } }]);

    advanceSeconds(20);
    expect((await detect(now())).timedOut).toEqual([]);
    advanceSeconds(20);
    expect((await detect(now())).timedOut.map((ref) => ref.runId)).toEqual(['eager']);
    expect(await timedOutEvents('eager')).toEqual([expect.objectContaining({ seq: 3, payload: expect.objectContaining({ timeoutSeconds: 30 }) })]);

    for (let step = 0; step < 3; step++) {
      advanceSeconds(40);
      await send('bounded', [{ eventId: `h${step}`, type: 'run.heartbeat' }]); // busy, but running too long
    }
    expect((await detect(now())).timedOut.map((ref) => ref.runId)).toEqual(['bounded']);
    expect(await timedOutEvents('bounded')).toEqual([expect.objectContaining({ seq: 5, payload: expect.objectContaining({ timeoutSeconds: 150 }) })]);
  });
});
