import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { generateShareSigningKey, signShareToken, formatShareKeyRing } from '#shared/auth/share-tokens.ts';
import { ErrorBodySchema } from '#shared/contract/error-body.ts';
import { ShareLinkSchema } from '#shared/contract/share.ts';
import { uniqueId } from '#test/support/events.ts';
import { GLOBEX_KEY, request, startTestStack } from '#test/support/http.ts';
import { readStream } from '#test/support/sse.ts';

const current = generateShareSigningKey('k2');
const previous = generateShareSigningKey('k1');
let stack: RunningLocalStack;

beforeAll(async () => {
  stack = await startTestStack({ config: { RUNLEDGER_SHARE_SIGNING_KEYS: formatShareKeyRing({ current, previous }), RUNLEDGER_STREAM_POLL_MS: '25' } });
});

afterAll(async () => {
  await stack.stop();
});

const event = (type: string, payload?: object) => ({ eventId: uniqueId('e'), type, occurredAt: new Date().toISOString(), ...(payload === undefined ? {} : { payload }) });

async function runWithEvents(): Promise<string> {
  const runId = uniqueId('run');
  const events = [event('run.started'), event('task.started', { taskId: 't1' }), event('task.completed', { taskId: 't1' }), event('run.completed')];
  expect((await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events } })).status).toBe(202);
  return runId;
}

async function share(runId: string, body?: unknown, key?: string) {
  const answer = await request(stack.url, 'POST', `/v1/runs/${runId}/share`, { ...(body === undefined ? {} : { body }), ...(key === undefined ? {} : { key }) });
  return { ...answer, link: ShareLinkSchema.safeParse(answer.body).data };
}

function expectError(answer: { status: number; body: unknown }, status: number, code: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(ErrorBodySchema.parse(answer.body).error.code).toBe(code);
}

describe('share links on the local stack, through real HTTP', () => {
  it('answers a token, its expiry and a dashboard link for the run, on the API\'s own origin', async () => {
    const runId = await runWithEvents();
    const before = Date.now();
    const { status, link } = await share(runId, { expiresInSeconds: 600 });
    expect(status).toBe(201);
    expect(link?.url).toBe(`${stack.url}/ui/#/runs/${runId}?token=${encodeURIComponent(link?.token ?? '')}`);
    const expiresAt = Date.parse(link?.expiresAt ?? '');
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
    expect((await share(runId)).status).toBe(201);
  });

  it('reads the run\'s summary, events, tasks, one task and stream with the token as ?token= and as a bearer, and nothing else', async () => {
    const runId = await runWithEvents();
    const token = (await share(runId)).link?.token ?? '';
    for (const path of [`/v1/runs/${runId}`, `/v1/runs/${runId}/events`, `/v1/runs/${runId}/tasks`, `/v1/runs/${runId}/tasks/t1`]) {
      expect((await request(stack.url, 'GET', `${path}?token=${token}`, { key: null })).status, path).toBe(200);
      expect((await request(stack.url, 'GET', path, { key: token })).status, path).toBe(200);
    }
    const summary = await request(stack.url, 'GET', `/v1/runs/${runId}?token=${token}`, { key: null });
    expect(summary.body).toMatchObject({ runId, status: 'completed', eventCount: 4 });
    const stream = await readStream(stack.url, runId, { key: token });
    expect(stream.messages.map((message) => message.id)).toEqual(['1', '2', '3', '4']);
    const queryStream = await fetch(`${stack.url}/v1/runs/${runId}/stream?token=${token}&afterSeq=3`);
    expect(queryStream.status).toBe(200);
    expect(await queryStream.text()).toContain('id: 4');

    const other = await runWithEvents();
    expectError(await request(stack.url, 'GET', `/v1/runs/${other}?token=${token}`, { key: null }), 403, 'forbidden');
    expectError(await request(stack.url, 'GET', `/v1/runs/${other}/stream`, { key: token }), 403, 'forbidden');
    expectError(await request(stack.url, 'GET', '/v1/runs', { key: token }), 403, 'forbidden');
    expectError(await request(stack.url, 'GET', '/v1/stats', { key: token }), 403, 'forbidden');
    expectError(await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { key: token, body: event('run.heartbeat') }), 403, 'forbidden');
    expectError(await request(stack.url, 'POST', `/v1/runs/${runId}/share`, { key: token, body: {} }), 403, 'forbidden');
    expect((await request(stack.url, 'GET', `/v1/runs/${runId}`)).body).toMatchObject({ eventCount: 4 });
  });

  it('answers a tampered, expired, foreign-key or run-swapped token 401 in the contract\'s shape', async () => {
    const runId = await runWithEvents();
    const token = (await share(runId)).link?.token ?? '';
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const expired = signShareToken({ tenant: 'acme', runId, expiresAt: new Date(Date.now() - 1000) }, current);
    const foreign = signShareToken({ tenant: 'acme', runId, expiresAt: new Date(Date.now() + 60_000) }, { id: 'k2', secret: generateShareSigningKey().secret });
    for (const bad of [tampered, expired, foreign]) {
      expectError(await request(stack.url, 'GET', `/v1/runs/${runId}?token=${bad}`, { key: null }), 401, 'unauthorized');
      expectError(await request(stack.url, 'GET', `/v1/runs/${runId}/events`, { key: bad }), 401, 'unauthorized');
    }
    expectError(await request(stack.url, 'GET', `/v1/runs/${runId}`, { key: null }), 401, 'unauthorized');
  });

  it('keeps links signed with the previous key working (rotation) and keeps another tenant\'s run out of reach', async () => {
    const runId = await runWithEvents();
    const old = signShareToken({ tenant: 'acme', runId, expiresAt: new Date(Date.now() + 60_000) }, previous);
    expect((await request(stack.url, 'GET', `/v1/runs/${runId}?token=${old}`, { key: null })).status).toBe(200);
    // A token for globex naming acme's run id reads globex's run of that id, which does not exist.
    const globexToken = signShareToken({ tenant: 'globex', runId, expiresAt: new Date(Date.now() + 60_000) }, current);
    expectError(await request(stack.url, 'GET', `/v1/runs/${runId}?token=${globexToken}`, { key: null }), 404, 'not_found');
    expectError(await share(runId, undefined, GLOBEX_KEY), 404, 'not_found');
  });

  it('never takes an API key from the query string', async () => {
    const runId = await runWithEvents();
    expectError(await request(stack.url, 'GET', `/v1/runs/${runId}?token=acme-test-key-0123456789`, { key: null }), 401, 'unauthorized');
  });

  it('answers a bad body 400 naming the field, and stores nothing', async () => {
    const runId = await runWithEvents();
    for (const body of [{ expiresInSeconds: 10 }, { expiresInSeconds: 'soon' }, { expiresInSeconds: 40 * 86_400 }]) {
      const answer = await share(runId, body);
      expectError(answer, 400, 'invalid_request');
      expect(JSON.stringify(answer.body)).toContain('expiresInSeconds');
    }
    expectError(await request(stack.url, 'POST', `/v1/runs/${runId}/share`, { rawBody: '{', headers: { 'content-type': 'application/json' } }), 400, 'malformed_json');
    expectError(await share(uniqueId('none')), 404, 'not_found');
  });
});
