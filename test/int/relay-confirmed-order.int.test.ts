import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/dynamodb-event-store.ts';
import type { LocalTarget } from '#local/bus/local-bus.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { parseBusEvent } from '#shared/bus/published-event.ts';
import { toEventPattern } from '#shared/bus/observer-filter.ts';
import { systemClock } from '#shared/ports.ts';
import { candidates, progressEvent, uniqueId } from '#test/support/events.ts';
import { faultyRunStorage, WriterCrashError } from '#test/support/faulty-run-storage.ts';
import { request, startTestStack } from '#test/support/http.ts';

/**
 * Invariant 2 for observers: the relay publishes a server-sequenced run's events only once
 * confirmed, in seq order, each once, while several writers append to the run and one crashes
 * between inserting its events and confirming them. Real parts: the local stack (DynamoDB Local's
 * stream read with the real streams client, the relay handler, the local bus reached through the
 * real EventBridge client) and a second writer process's store on the same table.
 */

/** What the observer received, in the order the bus invoked it: `runId/seq/eventId`. */
const received: Array<{ runId: string; seq: number; eventId: string }> = [];

const observer: LocalTarget = {
  name: 'order-recorder',
  pattern: toEventPattern({ preset: 'all' }),
  required: true,
  invoke: (event) => {
    const { detail } = parseBusEvent(event);
    received.push({ runId: detail.runId, seq: detail.seq, eventId: detail.eventId });
    return Promise.resolve();
  },
};

const LEASE_SECONDS = 1;
const tableName = uniqueId('relay-order');
let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack({ tableName, builtInObservers: false, observers: [observer], config: { RUNLEDGER_CLAIM_LEASE_SECONDS: String(LEASE_SECONDS) } });
});
afterAll(() => stack.stop());

/** Another process writing to the same table, which dies halfway through its items (after its claim, before its confirm). */
function crashingWriter() {
  const client = DynamoDBDocumentClient.from(makeDynamoDbClient({ endpoint: inject('dynamoDbEndpoint') }), { marshallOptions: { removeUndefinedValues: true } });
  const store = new DynamoDbEventStore({
    client,
    tableName,
    clock: systemClock,
    limits: { maxEventsPerRun: 100_000, retentionDays: 30 },
    claimLeaseSeconds: LEASE_SECONDS,
    wrapStorage: (inner) => faultyRunStorage(inner, { crashAt: 'mid-items' }).storage,
  });
  return { store, close: () => client.destroy() };
}

const at = '2026-12-02T10:00:00Z';
const batch = (runId: string, prefix: string, size: number) => ({ events: Array.from({ length: size }, (_, i) => ({ eventId: `${prefix}-${i + 1}`, runId, type: 'run.progress', occurredAt: at, payload: { progress: 0.5 } })) });

/** Posts a batch; the seqs it was acknowledged (accepted) with. */
async function post(runId: string, prefix: string, size: number): Promise<number[]> {
  const answer = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: batch(runId, prefix, size) });
  expect(answer.status).toBe(202);
  const { results } = answer.body as { results: Array<{ status: string; seq: number }> };
  return results.filter((result) => result.status === 'accepted').map((result) => result.seq);
}

const ofRun = (runId: string) => received.filter((event) => event.runId === runId);

describe('relay: server-sequenced events reach observers confirmed, in seq order, once', () => {
  it('withholds a crashed writer\'s unconfirmed events, then publishes every confirmed seq once in order as writers take over', async () => {
    const runId = uniqueId('run');
    const acknowledged = await post(runId, 'first', 10);
    expect(acknowledged).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    // A writer claims 11..20, inserts the events at 11, 13, 15, 17 and 19 (not the others), and dies before confirming.
    const crashing = crashingWriter();
    const crashedBatch = candidates(Array.from({ length: 10 }, (_, i) => progressEvent(runId, { eventId: `crashed-${i + 1}` })));
    await expect(crashing.store.appendToRun('acme', runId, crashedBatch)).rejects.toThrow(WriterCrashError);
    crashing.close();

    // The stream holds those five event items, but nothing confirmed them: the observer has 1..10 only.
    await stack.settled();
    expect(ofRun(runId).map((event) => event.seq)).toEqual(acknowledged);

    // Four writers at once: the first to come after the lease takes the claim over and fills its holes.
    const writers = await Promise.all(
      Array.from({ length: 4 }, async (_, writer) => {
        const seqs: number[] = [];
        for (let round = 0; round < 4; round++) seqs.push(...(await post(runId, `w${writer}-r${round}`, 5)));
        return seqs;
      }),
    );
    acknowledged.push(...writers.flat());
    await stack.settled();

    const run = (await request(stack.url, 'GET', `/v1/runs/${runId}`)).body as { lastSeq: number; eventCount: number };
    const page = (await request(stack.url, 'GET', `/v1/runs/${runId}/events?limit=1000`)).body as { events: Array<{ seq: number; eventId: string }> };
    // 10 + the five crashed events that landed + 4 x 4 x 5: dense.
    expect(run).toMatchObject({ lastSeq: 10 + 5 + 80, eventCount: 95 });
    const stored = page.events.map(({ seq, eventId }) => ({ runId, seq, eventId }));
    expect(stored.map((event) => event.seq)).toEqual(Array.from({ length: 95 }, (_, i) => i + 1));

    // Exactly the confirmed run, each seq once, in seq order; every acknowledged seq among them.
    expect(ofRun(runId)).toEqual(stored);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    for (const seq of acknowledged) expect(stored.map((event) => event.seq)).toContain(seq);
    // The crashed events that never landed were never published; those that landed were, once confirmed by a writer that took over.
    const crashedSeen = ofRun(runId).filter((event) => event.eventId.startsWith('crashed-')).map((event) => event.eventId);
    expect(crashedSeen.sort()).toEqual(['crashed-1', 'crashed-3', 'crashed-5', 'crashed-7', 'crashed-9']);
  }, 60_000);

  it('keeps publishing a producer-sequenced run as its events land, gaps included', async () => {
    const runId = uniqueId('run');
    const events = [1, 2, 4].map((seq) => ({ eventId: `p-${seq}`, runId, seq, type: 'run.progress', occurredAt: at, payload: { progress: 0.5 } }));
    expect((await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events } })).status).toBe(202);
    await stack.settled();
    expect(ofRun(runId).map((event) => event.seq).sort()).toEqual([1, 2, 4]);
  });
});
