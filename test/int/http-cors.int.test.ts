import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { request, startTestStack } from '#test/support/http.ts';

const DASH = 'https://dash.example.com';
const OPS = 'https://ops.example.com';
const EVIL = 'https://evil.example.net';

let stack: RunningLocalStack;
let plain: RunningLocalStack;
beforeAll(async () => {
  [stack, plain] = await Promise.all([
    startTestStack({ builtInObservers: false, config: { RUNLEDGER_CORS_ORIGINS: `${DASH},${OPS}` } }),
    startTestStack({ builtInObservers: false }),
  ]);
});
afterAll(() => Promise.all([stack.stop(), plain.stop()]));

const event = (eventId: string) => ({ eventId, type: 'run.started', occurredAt: '2026-11-23T10:00:00Z' });
const corsOf = (headers: Headers) => ({
  allowOrigin: headers.get('access-control-allow-origin'),
  vary: headers.get('vary'),
  expose: headers.get('access-control-expose-headers'),
});
const echoed = (origin: string) => ({ allowOrigin: origin, vary: 'Origin', expose: 'Retry-After' });

describe('CORS on the local stack (RUNLEDGER_CORS_ORIGINS)', () => {
  it('answers the preflight of a route: the origin, GET/POST/OPTIONS, and the Authorization, Content-Type and Last-Event-ID request headers', async () => {
    const answer = await request(stack.url, 'OPTIONS', '/v1/runs/r1/stream', {
      key: null,
      headers: { origin: OPS, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,last-event-id' },
    });
    expect(answer.status).toBe(204);
    expect(Object.fromEntries([...answer.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'))).toEqual({
      'access-control-allow-origin': OPS,
      'access-control-allow-methods': 'GET,POST,OPTIONS',
      'access-control-allow-headers': 'Authorization,Content-Type,Last-Event-ID',
      'access-control-expose-headers': 'Retry-After',
      'access-control-max-age': '3600',
      vary: 'Origin',
    });
  });

  it('echoes an allowed origin on a 202 from ingest and exposes Retry-After', async () => {
    const answer = await request(stack.url, 'POST', `/v1/runs/${uniqueId('run')}/events`, { body: event('e1'), headers: { origin: OPS } });
    expect(answer.status).toBe(202);
    expect(corsOf(answer.headers)).toEqual(echoed(OPS));
  });

  it('echoes it on a 400 the handler answers (a rejected body)', async () => {
    const answer = await request(stack.url, 'POST', '/v1/events', { rawBody: '{"events": [', headers: { origin: DASH } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'malformed_json' } });
    expect(corsOf(answer.headers)).toEqual(echoed(DASH));
  });

  it('echoes it on a 404 for an unknown run', async () => {
    const answer = await request(stack.url, 'GET', `/v1/runs/${uniqueId('nope')}`, { headers: { origin: DASH } });
    expect(answer.status).toBe(404);
    expect(corsOf(answer.headers)).toEqual(echoed(DASH));
  });

  it('echoes it on the answers of the functions outside the shared HTTP pipeline (health, the OpenAPI document)', async () => {
    const health = await request(stack.url, 'GET', '/v1/health', { key: null, headers: { origin: OPS } });
    const openapi = await request(stack.url, 'GET', '/v1/openapi.json', { headers: { origin: DASH } });
    expect([health.status, openapi.status]).toEqual([200, 200]);
    expect(corsOf(health.headers)).toEqual(echoed(OPS));
    expect(corsOf(openapi.headers)).toEqual(echoed(DASH));
  });

  it('opens the SSE stream with the CORS headers', async () => {
    const runId = uniqueId('run');
    await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: event('s') });
    const hangUp = new AbortController();
    const response = await fetch(`${stack.url}/v1/runs/${runId}/stream`, { headers: { authorization: 'Bearer acme-test-key-0123456789', origin: OPS }, signal: hangUp.signal });
    hangUp.abort();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(corsOf(response.headers)).toEqual(echoed(OPS));
  });

  it('gives a disallowed origin no Access-Control-Allow-Origin on a handler answer, only Vary: Origin', async () => {
    const answer = await request(stack.url, 'POST', `/v1/runs/${uniqueId('run')}/events`, { body: event('e1'), headers: { origin: EVIL } });
    expect(answer.status).toBe(202);
    expect(corsOf(answer.headers)).toEqual({ allowOrigin: null, vary: 'Origin', expose: null });
  });

  it('puts the first origin on the gateway’s own answers (a 401, an unknown route’s 404), as API Gateway’s gateway responses do', async () => {
    const unauthorized = await request(stack.url, 'GET', '/v1/stats', { key: 'wrong-key-0123456789', headers: { origin: OPS } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    expect(corsOf(unauthorized.headers)).toEqual(echoed(DASH));
    const unknown = await request(stack.url, 'GET', '/v2/nothing', { headers: { origin: DASH } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'not_found' } });
    expect(corsOf(unknown.headers)).toEqual(echoed(DASH));
  });

  it('sends no CORS header at all when no origin is configured (the default)', async () => {
    const accepted = await request(plain.url, 'POST', `/v1/runs/${uniqueId('run')}/events`, { body: event('e1'), headers: { origin: DASH } });
    const unauthorized = await request(plain.url, 'GET', '/v1/stats', { key: null, headers: { origin: DASH } });
    for (const answer of [accepted, unauthorized]) expect(corsOf(answer.headers)).toEqual({ allowOrigin: null, vary: null, expose: null });
    const preflight = await request(plain.url, 'OPTIONS', '/v1/stats', { key: null, headers: { origin: DASH, 'access-control-request-method': 'GET' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
