import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { request, startTestStack } from '#test/support/http.ts';

// A file of its own: the handlers read the limit from the environment once per process, as in Lambda.
let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack({ maxEventsPerRun: 2 });
});
afterAll(() => stack.stop());

const event = (eventId: string) => ({ eventId, type: 'run.heartbeat', occurredAt: '2026-11-23T10:00:00Z' });

it('rejects events past the per-run limit with a clear message and keeps the ones before it', async () => {
  const runId = uniqueId('run');
  const answer = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events: [event('a'), event('b'), event('c')] } });
  expect(answer.status).toBe(207);
  expect((answer.body as { results: unknown[] }).results).toEqual([
    { status: 'accepted', eventId: 'a', runId, seq: 1 },
    { status: 'accepted', eventId: 'b', runId, seq: 2 },
    { status: 'rejected', eventId: 'c', runId, errors: [{ path: 'events[2]', message: 'this run has reached its limit of 2 events; start a new run' }] },
  ]);
  const more = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: event('d') });
  expect(more.status).toBe(400);
});
