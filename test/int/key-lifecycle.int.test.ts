import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeys } from '#cli/keys.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { ErrorBodySchema } from '#shared/contract/error-body.ts';
import { uniqueId } from '#test/support/events.ts';
import { request, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.stop();
});

/** `npm run keys -- ...` against the running local stack (found through its data dir): the key and its id. */
async function createKey(...argv: string[]): Promise<{ key: string; keyId: string }> {
  const lines: string[] = [];
  await runKeys(['create', ...argv], { RUNLEDGER_DATA_DIR: stack.dataDir }, (line) => lines.push(line));
  return { keyId: /key ([0-9a-f]{12}) for/.exec(lines[1] ?? '')?.[1] ?? '', key: lines[2] ?? '' };
}

const revoke = (keyId: string) => runKeys(['revoke', '--id', keyId], { RUNLEDGER_DATA_DIR: stack.dataDir }, () => undefined);

const started = (runId: string) => ({ runId, eventId: uniqueId('e'), type: 'run.started', occurredAt: new Date().toISOString() });

/** The contract's error shape with this code. */
function expectError(body: unknown, code: string): void {
  const parsed = ErrorBodySchema.safeParse(body);
  expect(parsed.success, JSON.stringify(body)).toBe(true);
  expect(parsed.data?.error.code).toBe(code);
}

describe('key scopes on the local stack, through real HTTP', () => {
  it('answers a read key 403 forbidden in the contract’s error shape on both ingest routes, and stores nothing', async () => {
    const tenant = uniqueId('t');
    const { key } = await createKey('--tenant', tenant, '--scope', 'read');
    const runId = uniqueId('run');
    const batch = await request(stack.url, 'POST', '/v1/events', { key, body: { events: [started(runId)] } });
    expect(batch.status).toBe(403);
    expectError(batch.body, 'forbidden');
    const { runId: _runId, ...event } = started(runId);
    const perRun = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { key, body: { events: [event] } });
    expect(perRun.status).toBe(403);
    expectError(perRun.body, 'forbidden');
    expect((await request(stack.url, 'GET', `/v1/runs/${runId}`, { key })).status).toBe(404);
  });

  it('lets a read key query and stream its tenant’s runs that a write key of the same tenant ingested', async () => {
    const tenant = uniqueId('t');
    const writer = await createKey('--tenant', tenant, '--scope', 'write');
    const reader = await createKey('--tenant', tenant, '--scope', 'read');
    const runId = uniqueId('run');
    expect((await request(stack.url, 'POST', '/v1/events', { key: writer.key, body: { events: [started(runId)] } })).status).toBe(202);

    for (const path of ['/v1/runs', `/v1/runs/${runId}`, `/v1/runs/${runId}/events`, `/v1/runs/${runId}/tasks`, '/v1/stats']) {
      expect((await request(stack.url, 'GET', path, { key: reader.key })).status, path).toBe(200);
    }
    expect((await request(stack.url, 'GET', `/v1/runs/${runId}`, { key: writer.key })).status).toBe(200);
    const stream = new AbortController();
    const answer = await fetch(`${stack.url}/v1/runs/${runId}/stream`, { headers: { authorization: `Bearer ${reader.key}` }, signal: stream.signal });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/event-stream');
    stream.abort();
  });

  it('takes the scheme in any case', async () => {
    const { key } = await createKey('--tenant', uniqueId('t'), '--scope', 'read');
    for (const scheme of ['bearer', 'BEARER']) expect((await request(stack.url, 'GET', '/v1/stats', { key: null, headers: { authorization: `${scheme} ${key}` } })).status).toBe(200);
  });
});

describe('key rotation and revocation on the local stack', () => {
  it('serves two keys of one tenant at once; after the first is revoked it is refused at once and the second still works', async () => {
    const tenant = uniqueId('t');
    const first = await createKey('--tenant', tenant);
    const second = await createKey('--tenant', tenant);
    const runId = uniqueId('run');
    expect((await request(stack.url, 'POST', '/v1/events', { key: first.key, body: { events: [started(runId)] } })).status).toBe(202);
    expect((await request(stack.url, 'GET', `/v1/runs/${runId}`, { key: second.key })).status).toBe(200);

    await revoke(first.keyId);
    const refused = await request(stack.url, 'GET', `/v1/runs/${runId}`, { key: first.key });
    expect(refused.status).toBe(401);
    expectError(refused.body, 'unauthorized');
    expect((await request(stack.url, 'GET', `/v1/runs/${runId}`, { key: second.key })).status).toBe(200);
  });
});

describe('key expiry on the local stack', () => {
  it('serves a key until its expiry and answers 401 unauthorized in the contract’s error shape after it', async () => {
    const { key } = await createKey('--tenant', uniqueId('t'), '--expires-in', '2s');
    expect((await request(stack.url, 'GET', '/v1/stats', { key })).status).toBe(200);
    // Stored to the second (rounded down), so 2 s from now lapses within 2 s.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const refused = await request(stack.url, 'GET', '/v1/stats', { key });
    expect(refused.status).toBe(401);
    expectError(refused.body, 'unauthorized');
  });
});
