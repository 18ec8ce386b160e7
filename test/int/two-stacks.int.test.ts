import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { request, startTestStack } from '#test/support/http.ts';

// Each stack composes its own root from its options: nothing is shared through process.env.
let first: RunningLocalStack;
let second: RunningLocalStack;
beforeAll(async () => {
  [first, second] = await Promise.all([startTestStack({ tableName: uniqueId('first') }), startTestStack({ tableName: uniqueId('second') })]);
});
afterAll(async () => {
  await Promise.all([first.stop(), second.stop()]);
});

const event = (eventId: string, type: string) => ({ eventId, type, occurredAt: '2026-11-23T10:00:00Z' });

describe('two local stacks in one process', () => {
  it('each stores, serves and publishes its own data, from its own table', async () => {
    expect(first.tableName).not.toBe(second.tableName);
    const runId = uniqueId('run');
    const onlySecond = uniqueId('run');
    expect((await request(first.url, 'POST', `/v1/runs/${runId}/events`, { body: { events: [event('a', 'run.started'), event('b', 'run.heartbeat'), event('c', 'run.completed')] } })).status).toBe(202);
    expect((await request(second.url, 'POST', `/v1/runs/${runId}/events`, { body: event('a', 'run.started') })).status).toBe(202);
    expect((await request(second.url, 'POST', `/v1/runs/${onlySecond}/events`, { body: event('a', 'run.queued') })).status).toBe(202);

    expect((await request(first.url, 'GET', `/v1/runs/${runId}`)).body).toMatchObject({ status: 'completed', eventCount: 3 });
    expect((await request(second.url, 'GET', `/v1/runs/${runId}`)).body).toMatchObject({ status: 'running', eventCount: 1 });
    expect((await request(first.url, 'GET', `/v1/runs/${onlySecond}`)).status).toBe(404);
    expect((await request(second.url, 'GET', `/v1/runs/${onlySecond}`)).body).toMatchObject({ status: 'queued' });
    expect((await request(first.url, 'GET', '/v1/stats')).body).toMatchObject({ runs: { completed: 1, running: 0, queued: 0 } });
    expect((await request(second.url, 'GET', '/v1/stats')).body).toMatchObject({ runs: { completed: 0, running: 1, queued: 1 } });

    // Each relay reads its own table's stream and publishes to its own bus.
    await Promise.all([first.settled(), second.settled()]);
    expect(first.bus.stats().entries).toBe(3);
    expect(second.bus.stats().entries).toBe(2);
  });

  it('keeps serving from one stack after the other stops', async () => {
    const runId = uniqueId('run');
    const other = await startTestStack({ tableName: uniqueId('other') });
    await other.stop();
    expect((await request(first.url, 'POST', `/v1/runs/${runId}/events`, { body: event('a', 'run.started') })).status).toBe(202);
    expect((await request(first.url, 'GET', `/v1/runs/${runId}`)).body).toMatchObject({ status: 'running' });
  });
});
