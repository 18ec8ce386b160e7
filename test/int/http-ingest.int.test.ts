import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { GLOBEX_KEY, request, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack({ ownDynamoDb: true });
});
afterAll(() => stack.stop());

const occurredAt = '2026-11-23T10:00:00Z';
const progress = (eventId: string, extra: Record<string, unknown> = {}) => ({
  eventId,
  type: 'run.progress',
  occurredAt,
  payload: { progress: 0.5 },
  ...extra,
});

const post = (path: string, body: unknown, key?: string) => request(stack.url, 'POST', path, { body, ...(key ? { key } : {}) });
const getRun = (runId: string, key?: string) => request(stack.url, 'GET', `/v1/runs/${runId}`, key ? { key } : {});

describe('POST /v1/runs/{runId}/events over HTTP', () => {
  it('answers 202 with accepted and seq for one event, and the run then exists', async () => {
    const runId = uniqueId('run');
    const answer = await post(`/v1/runs/${runId}/events`, { eventId: 'a', type: 'run.started', occurredAt });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ results: [{ status: 'accepted', eventId: 'a', runId, seq: 1 }] });
    const run = await getRun(runId);
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ runId, status: 'running', lastSeq: 1, eventCount: 1 });
  });

  it('gives 20 concurrent writers of 50 events each seqs exactly 1..1000', async () => {
    const runId = uniqueId('run');
    const seqs = (
      await Promise.all(
        Array.from({ length: 20 }, async (_, writer) => {
          const mine: number[] = [];
          for (let batch = 0; batch < 5; batch++) {
            const events = Array.from({ length: 10 }, (_, i) => progress(`w${writer}-b${batch}-${i}`));
            const answer = await post(`/v1/runs/${runId}/events`, { events });
            expect(answer.status).toBe(202);
            const { results } = answer.body as { results: Array<{ status: string; seq: number }> };
            for (const result of results) {
              expect(result.status).toBe('accepted');
              mine.push(result.seq);
            }
          }
          return mine;
        }),
      )
    ).flat();
    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect((await getRun(runId)).body).toMatchObject({ lastSeq: 1000, eventCount: 1000, missingSeqs: [] });
    // 100 requests into one run take one claim at a time by design: 11 s alone, over 60 s on a machine
    // busy with other suites. The test is about the seqs, not the speed (npm run bench measures that).
  }, 180_000);

  it('answers the same batch sent twice with duplicate for every event and the same seqs', async () => {
    const runId = uniqueId('run');
    const batch = { events: Array.from({ length: 25 }, (_, i) => progress(`e${i}`)) };
    const first = await post(`/v1/runs/${runId}/events`, batch);
    const second = await post(`/v1/runs/${runId}/events`, batch);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    const firstResults = (first.body as { results: Array<{ status: string; seq: number }> }).results;
    const secondResults = (second.body as { results: Array<{ status: string; seq: number }> }).results;
    expect(firstResults.every((result) => result.status === 'accepted')).toBe(true);
    expect(secondResults.every((result) => result.status === 'duplicate')).toBe(true);
    expect(secondResults.map((result) => result.seq)).toEqual(firstResults.map((result) => result.seq));
    expect((await getRun(runId)).body).toMatchObject({ eventCount: 25 });
  });

  it('reports a producer-sequenced gap in missingSeqs until it is filled', async () => {
    const runId = uniqueId('run');
    const seqEvent = (seq: number) => progress(`p${seq}`, { seq });
    await post(`/v1/runs/${runId}/events`, { events: [seqEvent(1), seqEvent(2), seqEvent(4), seqEvent(6)] });
    expect((await getRun(runId)).body).toMatchObject({ sequencing: 'producer', lastSeq: 6, missingSeqs: [3, 5] });
    await post(`/v1/runs/${runId}/events`, seqEvent(5));
    expect((await getRun(runId)).body).toMatchObject({ missingSeqs: [3] });
    await post(`/v1/runs/${runId}/events`, seqEvent(3));
    expect((await getRun(runId)).body).toMatchObject({ missingSeqs: [], eventCount: 6 });
  });

  it('answers 207 when some events are stored and others rejected or in conflict', async () => {
    const runId = uniqueId('run');
    await post(`/v1/runs/${runId}/events`, progress('taken'));
    const answer = await post(`/v1/runs/${runId}/events`, {
      events: [progress('ok'), progress('bad', { payload: { progress: 2 } }), progress('taken', { occurredAt: '2026-11-23T11:00:00Z' })],
    });
    expect(answer.status).toBe(207);
    expect(answer.body).toEqual({
      results: [
        { status: 'accepted', eventId: 'ok', runId, seq: 2 },
        { status: 'rejected', eventId: 'bad', runId, errors: [{ path: 'events[1].payload.progress', message: 'must be at most 1' }] },
        { status: 'conflict', eventId: 'taken', runId, seq: 1, message: expect.stringContaining('different content') },
      ],
    });
  });

  it('answers 409 when every event conflicts, and 400 when none is stored and one is rejected', async () => {
    const runId = uniqueId('run');
    await post(`/v1/runs/${runId}/events`, progress('x'));
    const conflict = await post(`/v1/runs/${runId}/events`, progress('x', { seq: 9 }));
    expect(conflict.status).toBe(409);
    const rejected = await post(`/v1/runs/${runId}/events`, { events: [progress('y', { type: 'nope' }), progress('x', { seq: 9 })] });
    expect(rejected.status).toBe(400);
    expect((await getRun(runId)).body).toMatchObject({ eventCount: 1 });
  });
});

describe('POST /v1/events over HTTP', () => {
  it('stores events of several runs in one request, each run sequenced on its own', async () => {
    const [a, b] = [uniqueId('run'), uniqueId('run')];
    const answer = await post('/v1/events', {
      events: [progress('1', { runId: a }), progress('2', { runId: b }), progress('3', { runId: a })],
    });
    expect(answer.status).toBe(202);
    expect((answer.body as { results: unknown[] }).results).toEqual([
      { status: 'accepted', eventId: '1', runId: a, seq: 1 },
      { status: 'accepted', eventId: '2', runId: b, seq: 1 },
      { status: 'accepted', eventId: '3', runId: a, seq: 2 },
    ]);
  });
});

describe('tenants', () => {
  it('answers 404 for another tenant’s run and keeps same-named runs apart', async () => {
    const runId = uniqueId('run');
    await post(`/v1/runs/${runId}/events`, progress('a'));
    const foreign = await getRun(runId, GLOBEX_KEY);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ error: { code: 'not_found', message: `run '${runId}' was not found` } });
    const own = await post(`/v1/runs/${runId}/events`, progress('a'), GLOBEX_KEY);
    expect(own.body).toEqual({ results: [{ status: 'accepted', eventId: 'a', runId, seq: 1 }] });
  });
});

describe('GET /v1/health', () => {
  it('answers ok without a key', async () => {
    const answer = await request(stack.url, 'GET', '/v1/health', { key: null });
    expect(answer).toMatchObject({ status: 200, body: { status: 'ok' } });
  });
});
