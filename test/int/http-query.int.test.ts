import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { GLOBEX_KEY, request, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack({ builtInObservers: false, ownDynamoDb: true });
});
afterAll(() => stack.stop());

const at = (second: number) => `2026-11-23T10:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}Z`;
type Page = { events: Array<{ seq: number; type: string; eventId: string }>; nextAfterSeq: number | null };

async function post(runId: string, events: unknown[]) {
  const answer = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events } });
  expect(answer.status).toBe(202);
}

describe('GET /v1/runs/{runId}/events', () => {
  it('pages over 2,500 events with limit 1000, each exactly once and in order', async () => {
    const runId = uniqueId('run');
    // Producer-sequenced (the cheap write path): this test is about reading pages, not about sequencing.
    for (let batch = 0; batch < 25; batch++) {
      await post(
        runId,
        Array.from({ length: 100 }, (_, i) => ({ eventId: `e${batch * 100 + i}`, seq: batch * 100 + i + 1, type: i % 10 === 0 ? 'custom:mark' : 'token', occurredAt: at(1), payload: { text: 'x' } })),
      );
    }
    const seen: number[] = [];
    const cursors: Array<number | null> = [];
    let afterSeq = 0;
    for (;;) {
      const answer = await request(stack.url, 'GET', `/v1/runs/${runId}/events?afterSeq=${afterSeq}&limit=1000`);
      expect(answer.status).toBe(200);
      const page = answer.body as Page;
      seen.push(...page.events.map((event) => event.seq));
      cursors.push(page.nextAfterSeq);
      if (page.nextAfterSeq === null) break;
      afterSeq = page.nextAfterSeq;
    }
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(cursors).toEqual([1000, 2000, null]);
  });

  it('filters by types, custom:* included, and defaults to 100 events', async () => {
    const runId = uniqueId('run');
    const tokens = (from: number) => Array.from({ length: 75 }, (_, i) => ({ eventId: `t${from + i}`, type: 'token', occurredAt: at(2), payload: { text: 'x' } }));
    await post(runId, [{ eventId: 'a', type: 'run.started', occurredAt: at(1) }, ...tokens(0)]);
    await post(runId, [...tokens(75), { eventId: 'c', type: 'custom:deploy', occurredAt: at(3) }, { eventId: 'd', type: 'run.completed', occurredAt: at(4) }]);
    const filtered = (await request(stack.url, 'GET', `/v1/runs/${runId}/events?types=run.started,custom:*,run.completed`)).body as Page;
    expect(filtered.events.map((event) => event.eventId)).toEqual(['a', 'c', 'd']);
    expect(filtered.nextAfterSeq).toBeNull();
    const first = (await request(stack.url, 'GET', `/v1/runs/${runId}/events`)).body as Page;
    expect(first.events).toHaveLength(100);
    expect(first.nextAfterSeq).toBe(100);
  });

  it('answers 404 to another tenant, and 400 naming a bad parameter', async () => {
    const runId = uniqueId('run');
    await post(runId, [{ eventId: 'a', type: 'run.started', occurredAt: at(1) }]);
    expect((await request(stack.url, 'GET', `/v1/runs/${runId}/events`, { key: GLOBEX_KEY })).status).toBe(404);
    for (const [query, path] of [
      ['afterSeq=-1', 'afterSeq'],
      ['limit=0', 'limit'],
      ['limit=5000', 'limit'],
      ['limit=ten', 'limit'],
      ['types=run.exploded', 'types'],
    ]) {
      const answer = await request(stack.url, 'GET', `/v1/runs/${runId}/events?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'invalid_parameter', details: [expect.objectContaining({ path })] } });
    }
  });
});

describe('run status over HTTP', () => {
  it('never moves backwards with producer events out of order, stays terminal, and stores and lists what came after', async () => {
    const runId = uniqueId('run');
    const event = (seq: number, type: string, payload?: unknown) => ({ eventId: `e${seq}`, seq, type, occurredAt: at(seq), ...(payload === undefined ? {} : { payload }) });
    await post(runId, [event(3, 'run.completed', { result: 'ok' })]);
    await post(runId, [event(1, 'run.queued'), event(4, 'run.progress', { progress: 0.9 })]);
    await post(runId, [event(2, 'run.started')]);
    const run = (await request(stack.url, 'GET', `/v1/runs/${runId}`)).body;
    expect(run).toMatchObject({ status: 'completed', startedAt: at(2), endedAt: at(3), result: 'ok', eventCount: 4, missingSeqs: [] });
    const page = (await request(stack.url, 'GET', `/v1/runs/${runId}/events`)).body as Page;
    expect(page.events.map((item) => item.type)).toEqual(['run.queued', 'run.started', 'run.completed', 'run.progress']);
  });
});

describe('tasks', () => {
  it('lists tasks with status, attempt and timings, and gives one task its events in order', async () => {
    const runId = uniqueId('run');
    await post(runId, [
      { eventId: '1', type: 'task.started', occurredAt: at(1), payload: { taskId: 'fetch#1', name: 'fetch' } },
      { eventId: '2', type: 'task.started', occurredAt: at(2), payload: { taskId: 'parse' } },
      { eventId: '3', type: 'task.retrying', occurredAt: at(3), payload: { taskId: 'fetch#1', attempt: 2, maxAttempts: 3 } },
      { eventId: '4', type: 'token', occurredAt: at(4), payload: { text: 'x' } },
      { eventId: '5', type: 'task.completed', occurredAt: at(9), payload: { taskId: 'fetch#1', attempt: 2 } },
    ]);
    const tasks = (await request(stack.url, 'GET', `/v1/runs/${runId}/tasks`)).body;
    expect(tasks).toEqual({
      tasks: [
        { taskId: 'fetch#1', status: 'completed', name: 'fetch', attempt: 2, firstEventAt: at(1), lastEventAt: at(9), durationMs: 8000 },
        { taskId: 'parse', status: 'in_progress', name: null, attempt: null, firstEventAt: at(2), lastEventAt: at(2), durationMs: 0 },
      ],
    });
    const task = (await request(stack.url, 'GET', `/v1/runs/${runId}/tasks/${encodeURIComponent('fetch#1')}`)).body as { task: { status: string }; events: Array<{ seq: number }>; nextAfterSeq: null };
    expect(task.task.status).toBe('completed');
    expect(task.events.map((item) => item.seq)).toEqual([1, 3, 5]);
    expect(task.nextAfterSeq).toBeNull();
    expect((await request(stack.url, 'GET', `/v1/runs/${runId}/tasks/nope`)).status).toBe(404);
    expect((await request(stack.url, 'GET', `/v1/runs/${runId}/tasks`, { key: GLOBEX_KEY })).status).toBe(404);
  });
});

describe('GET /v1/stats', () => {
  it('counts the tenant’s runs by status, and only its own', async () => {
    const runId = uniqueId('run');
    const answer = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, {
      key: GLOBEX_KEY,
      body: { events: [{ eventId: 's', type: 'run.started', occurredAt: at(1) }, { eventId: 'c', type: 'run.completed', occurredAt: at(2) }] },
    });
    expect(answer.status).toBe(202);
    const stats = await request(stack.url, 'GET', '/v1/stats', { key: GLOBEX_KEY });
    expect(stats.body).toEqual({ runs: { queued: 0, running: 0, completed: 1, failed: 0, cancelled: 0, timed_out: 0 } });
    expect((await request(stack.url, 'GET', '/v1/stats', { key: null })).status).toBe(401);
  });
});

describe('GET /v1/runs', () => {
  type RunsPage = { runs: Array<{ runId: string; status: string; threadId: string | null; updatedAt: string }>; nextCursor: string | null };
  const list = async (query: string, key?: string) => {
    const answer = await request(stack.url, 'GET', `/v1/runs${query}`, key === undefined ? {} : { key });
    expect(answer.status, answer.text).toBe(200);
    return answer.body as RunsPage;
  };
  /** Every page of a listing, following nextCursor. */
  const all = async (query: string) => {
    const runs: RunsPage['runs'] = [];
    let page = await list(query);
    for (;;) {
      runs.push(...page.runs);
      if (page.nextCursor === null) return runs;
      page = await list(`${query}${query === '' ? '?' : '&'}cursor=${encodeURIComponent(page.nextCursor)}`);
    }
  };

  it('lists runs most recently updated first, filtered by status and thread, each once across pages', async () => {
    const threadId = uniqueId('thread');
    const runIds = Array.from({ length: 9 }, () => uniqueId('run'));
    for (const [i, runId] of runIds.entries()) {
      await post(runId, [{ eventId: 's', type: 'run.started', occurredAt: at(1), threadId }]);
      if (i % 3 === 0) await post(runId, [{ eventId: 'c', type: 'run.completed', occurredAt: at(2) }]);
    }
    await post(runIds[1] ?? '', [{ eventId: 'p', type: 'run.progress', occurredAt: at(3), payload: { progress: 0.5 } }]);

    const inThread = await all(`?threadId=${threadId}&limit=4`);
    // The contract's order: updated-at to the minute, newest first, then runId.
    const order = (run: RunsPage['runs'][number]) => `${run.updatedAt.slice(0, 16)}#${run.runId}`;
    expect(inThread.map((run) => run.runId).sort()).toEqual([...runIds].sort());
    expect(inThread.map(order)).toEqual(inThread.map(order).sort().reverse());
    expect(inThread.every((run) => run.threadId === threadId)).toBe(true);

    const completed = await all(`?threadId=${threadId}&status=completed&limit=2`);
    expect(completed.map((run) => run.runId).sort()).toEqual([runIds[0], runIds[3], runIds[6]].sort());
    expect(completed.every((run) => run.status === 'completed')).toBe(true);

    const running = await all('?status=running&limit=5');
    expect(running.every((run) => run.status === 'running')).toBe(true);
    expect(running.map((run) => run.runId)).toEqual(expect.arrayContaining(runIds.filter((_, i) => i % 3 !== 0)));

    const everything = (await all('?limit=7')).map((run) => run.runId);
    expect(new Set(everything).size).toBe(everything.length);
    expect(everything).toEqual(expect.arrayContaining(runIds));
    expect((await list(`?threadId=${threadId}`, GLOBEX_KEY)).runs).toEqual([]);
  });

  it('answers 400 naming a bad parameter: unknown status, limit 0 or 5000, malformed or foreign cursors', async () => {
    const threadId = uniqueId('thread');
    for (let i = 0; i < 3; i++) await post(uniqueId('run'), [{ eventId: 's', type: 'run.started', occurredAt: at(1), threadId }]);
    const page = await list(`?threadId=${threadId}&limit=1`);
    const cursor = encodeURIComponent(page.nextCursor ?? '');
    expect(page.nextCursor).not.toBeNull();
    expect((await list(`?threadId=${threadId}&limit=1&cursor=${cursor}`)).runs).toHaveLength(1);

    const cases: Array<[string, string, string?]> = [
      ['?status=exploded', 'status'],
      ['?limit=0', 'limit'],
      ['?limit=5000', 'limit'],
      ['?threadId=bad%20id', 'threadId'],
      ['?cursor=not-a-cursor', 'cursor'],
      [`?cursor=${Buffer.from('{"v":1}').toString('base64url')}`, 'cursor'],
      [`?threadId=${threadId}&limit=1&cursor=${cursor}`, 'cursor', GLOBEX_KEY],
      [`?threadId=${threadId}&status=running&cursor=${cursor}`, 'cursor'],
    ];
    for (const [query, path, key] of cases) {
      const answer = await request(stack.url, 'GET', `/v1/runs${query}`, key === undefined ? {} : { key });
      expect(answer.status, query).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'invalid_parameter', details: [expect.objectContaining({ path })] } });
    }
  });
});
