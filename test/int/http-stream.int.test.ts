import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { GLOBEX_KEY, request, startTestStack } from '#test/support/http.ts';
import { readStream, seqsOf } from '#test/support/sse.ts';

let stack: RunningLocalStack;
beforeAll(async () => {
  // Fast polls and heartbeats for the test, given to the stream handler as its configuration.
  stack = await startTestStack({
    builtInObservers: false,
    config: { RUNLEDGER_STREAM_POLL_MS: '25', RUNLEDGER_STREAM_HEARTBEAT_MS: '300', RUNLEDGER_STREAM_GAP_GRACE_MS: '1500' },
  });
});
afterAll(() => stack.stop());

const tokens = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ eventId: `t${from + i}`, type: 'token', occurredAt: '2026-11-23T10:00:01Z', payload: { text: `${from + i}` } }));
const completed = (eventId = 'done') => ({ eventId, type: 'run.completed', occurredAt: '2026-11-23T10:00:02Z', payload: { result: 'ok' } });

async function post(runId: string, events: unknown[]): Promise<void> {
  const answer = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events } });
  expect(answer.status, answer.text).toBe(202);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('GET /v1/runs/{runId}/stream', () => {
  it('resumes exactly after Last-Event-ID: a client cut at 40 of 100 gets 41..100 once, including what arrived while it was away', async () => {
    const runId = uniqueId('run');
    await post(runId, tokens(1, 30));
    const firstVisit = readStream(stack.url, runId, { until: (read) => read.messages.length === 40 });
    await post(runId, tokens(31, 30)); // arrives while the client is connected
    const first = await firstVisit;
    expect(first.endedByServer).toBe(false);
    expect(seqsOf(first)).toEqual(range(1, 40));

    await post(runId, [...tokens(61, 39), completed()]); // arrives while it is away
    const second = await readStream(stack.url, runId, { lastEventId: '40' });
    expect(seqsOf(second)).toEqual(range(41, 100));
    expect(second.endedByServer).toBe(true);
    expect(second.messages.at(-1)?.event).toBe('run.completed');
    const last = JSON.parse(second.messages.at(-1)?.data ?? '{}') as { seq: number; runId: string; payload: unknown };
    expect(last).toMatchObject({ seq: 100, runId, payload: { result: 'ok' } });
  });

  it('gives every event to each of two clients on one run and ends both after run.completed', async () => {
    const runId = uniqueId('run');
    await post(runId, [{ eventId: 's', type: 'run.started', occurredAt: '2026-11-23T10:00:00Z' }]);
    const clients = [readStream(stack.url, runId), readStream(stack.url, runId)];
    for (let batch = 0; batch < 5; batch++) await post(runId, tokens(batch * 10, 10));
    await post(runId, [completed()]);
    for (const read of await Promise.all(clients)) {
      expect(read.status).toBe(200);
      expect(read.contentType).toMatch(/^text\/event-stream/);
      expect(seqsOf(read)).toEqual(range(1, 52));
      expect(read.messages.map((message) => message.event)).toEqual(['run.started', ...Array<string>(50).fill('token'), 'run.completed']);
      expect(read.endedByServer).toBe(true);
    }
  });

  it('stops at the terminal event even when events are stored after it', async () => {
    const runId = uniqueId('run');
    await post(runId, [...tokens(1, 3), completed(), ...tokens(4, 2)]);
    const read = await readStream(stack.url, runId);
    expect(seqsOf(read)).toEqual([1, 2, 3, 4]);
    expect(read.endedByServer).toBe(true);
  });

  it('resumes after ?afterSeq=, and Last-Event-ID wins over it (an EventSource reconnects to the same URL)', async () => {
    const runId = uniqueId('run');
    await post(runId, [...tokens(1, 9), completed()]);
    expect(seqsOf(await readStream(stack.url, runId, { query: '?afterSeq=6' }))).toEqual([7, 8, 9, 10]);
    expect(seqsOf(await readStream(stack.url, runId, { query: '?afterSeq=2', lastEventId: '8' }))).toEqual([9, 10]);
  });

  it('sends heartbeat comments while the run is quiet', async () => {
    const runId = uniqueId('run');
    await post(runId, tokens(1, 1));
    const read = await readStream(stack.url, runId, { until: (soFar) => soFar.comments.length >= 2 });
    expect(seqsOf(read)).toEqual([1]);
    expect(read.comments.map((comment) => comment.trim())).toEqual(['heartbeat', 'heartbeat']);
    expect(read.endedByServer).toBe(false);
  });

  it('never skips a missing producer seq: holds 4 and 5 until 3 arrives, then sends 3, 4, 5 in order', async () => {
    const runId = uniqueId('run');
    const at = '2026-11-23T10:00:01Z';
    const event = (seq: number, type = 'token') => ({ eventId: `p${seq}`, seq, type, occurredAt: at, ...(type === 'token' ? { payload: { text: String(seq) } } : {}) });
    await post(runId, [event(1), event(2), event(4), event(5)]);
    const reading = readStream(stack.url, runId, { until: (read) => read.messages.length === 5 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // several polls see the hole
    await post(runId, [event(3)]);
    expect(seqsOf(await reading)).toEqual([1, 2, 3, 4, 5]);
  });

  it('sends what a finished run holds after the grace period when a producer seq never arrives', async () => {
    const runId = uniqueId('run');
    const at = '2026-11-23T10:00:01Z';
    await post(runId, [
      { eventId: 'a', seq: 1, type: 'run.started', occurredAt: at },
      { eventId: 'c', seq: 3, type: 'run.failed', occurredAt: at, payload: { error: { message: 'boom' } } },
    ]);
    const read = await readStream(stack.url, runId);
    expect(seqsOf(read)).toEqual([1, 3]);
    expect(read.endedByServer).toBe(true);
  });

  it('answers 204 to a client that has read a finished run to its end, so EventSource stops reconnecting', async () => {
    const runId = uniqueId('run');
    await post(runId, [...tokens(1, 2), completed()]);
    const read = await readStream(stack.url, runId, { lastEventId: '3' });
    expect(read.status).toBe(204);
    expect(read.messages).toEqual([]);
  });

  it('answers bad input and unknown runs with the error shape before opening a stream', async () => {
    const runId = uniqueId('run');
    await post(runId, tokens(1, 1));
    const cases: Array<[Parameters<typeof readStream>[2], number, string]> = [
      [{ lastEventId: 'abc' }, 400, 'Last-Event-ID'],
      [{ query: '?afterSeq=-1' }, 400, 'afterSeq'],
      [{ key: GLOBEX_KEY }, 404, runId],
    ];
    for (const [options, status, mentioned] of cases) {
      const read = await readStream(stack.url, runId, options);
      expect(read.status).toBe(status);
      expect(JSON.stringify(read.body)).toContain(mentioned);
    }
    const unknown = await readStream(stack.url, uniqueId('missing'));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'not_found' } });
    const anonymous = await fetch(`${stack.url}/v1/runs/${runId}/stream`);
    expect(anonymous.status).toBe(401);
  });
});
