import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { toEventPattern } from '#shared/bus/observer-filter.ts';
import { uniqueId } from '#test/support/events.ts';
import { GLOBEX_KEY, request, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;
let healed = false;
beforeAll(async () => {
  stack = await startTestStack({
    observers: [
      {
        name: 'always-fails',
        pattern: toEventPattern({ types: ['custom:*'] }),
        required: true,
        invoke: () => (healed ? Promise.resolve() : Promise.reject(new Error('down for now'))),
      },
    ],
  });
  const at = new Date().toISOString();
  for (const key of [undefined, GLOBEX_KEY]) {
    const posted = await request(stack.url, 'POST', `/v1/runs/${uniqueId('admin')}/events`, { ...(key === undefined ? {} : { key }), body: { eventId: 'e1', type: 'custom:boom', occurredAt: at } });
    expect(posted.status).toBe(202);
  }
  // Also gives the required observer its five tries on each event; the failures end in the dead-letter queue.
  await stack.settled();
});
afterAll(() => stack.stop());

const ADMIN_ROUTES = [
  ['GET', '/v1/metrics'],
  ['GET', '/local/bus'],
  ['GET', '/local/dlq'],
  ['POST', '/local/dlq/redrive'],
  ['POST', '/local/stale-check'],
] as const;

type Letters = { deadLetters: Array<{ target: string; event: { detail: { tenant: string } } }> };
const tenantsOf = (body: unknown) => (body as Letters).deadLetters.map((letter) => letter.event.detail.tenant);

describe('the local stack admin routes', () => {
  it.each(ADMIN_ROUTES)('%s %s answers 401 without a key and with an unknown one', async (method, path) => {
    for (const key of [null, 'not-a-key-0123456789']) {
      const answer = await request(stack.url, method, path, { key });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });

  it("shows each tenant only its own dead letters and redrives only those", async () => {
    expect(tenantsOf((await request(stack.url, 'GET', '/local/dlq')).body)).toEqual(['acme']);
    expect(tenantsOf((await request(stack.url, 'GET', '/local/dlq', { key: GLOBEX_KEY })).body)).toEqual(['globex']);
    healed = true;
    const redriven = await request(stack.url, 'POST', '/local/dlq/redrive');
    expect(redriven.body).toMatchObject({ delivered: 1, failed: 0 });
    expect(tenantsOf((await request(stack.url, 'GET', '/local/dlq')).body)).toEqual([]);
    expect(tenantsOf((await request(stack.url, 'GET', '/local/dlq', { key: GLOBEX_KEY })).body)).toEqual(['globex']);
  });

  it("shows each tenant only its own metrics lines", async () => {
    const acme = await request(stack.url, 'GET', '/v1/metrics');
    expect(acme.status).toBe(200);
    expect(acme.text).toMatch(/tenant="acme"/);
    expect(acme.text).not.toMatch(/tenant="globex"/);
    const globex = await request(stack.url, 'GET', '/v1/metrics', { key: GLOBEX_KEY });
    expect(globex.text).toMatch(/tenant="globex"/);
    expect(globex.text).not.toMatch(/tenant="acme"/);
  });

  it('runs the stale-run check for a caller with a key, answering counts only', async () => {
    const answer = await request(stack.url, 'POST', '/local/stale-check');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ examined: expect.any(Number), timedOut: expect.any(Number) });
  });

  it("judges only the caller's runs when asked to look ahead (?at=), so no other tenant's run times out early", async () => {
    const [mine, theirs] = [uniqueId('stale-mine'), uniqueId('stale-theirs')];
    const started = { eventId: 's', type: 'run.started', occurredAt: new Date().toISOString() };
    expect((await request(stack.url, 'POST', `/v1/runs/${mine}/events`, { body: started })).status).toBe(202);
    expect((await request(stack.url, 'POST', `/v1/runs/${theirs}/events`, { key: GLOBEX_KEY, body: started })).status).toBe(202);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const answer = await request(stack.url, 'POST', `/local/stale-check?at=${encodeURIComponent(later)}`);
    expect(answer.status).toBe(200);
    expect((await request(stack.url, 'GET', `/v1/runs/${mine}`)).body).toMatchObject({ status: 'timed_out' });
    expect((await request(stack.url, 'GET', `/v1/runs/${theirs}`, { key: GLOBEX_KEY })).body).toMatchObject({ status: 'running' });
  });
});
