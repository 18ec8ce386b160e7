import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { RUN_PK_PREFIX } from '#adapters/dynamodb/keys.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { request } from '#test/support/http.ts';
import { startTestStack } from '#test/support/http.ts';
import { rawRequest } from '#test/support/raw-http.ts';

let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.stop());

const RUN = 'malformed-run';
const ok = { eventId: 'e1', runId: RUN, type: 'run.started', occurredAt: '2026-11-23T10:00:00Z' };
const batch = (...events: unknown[]) => JSON.stringify({ events });
const withEvent = (fields: Record<string, unknown>) => batch({ ...ok, ...fields });
const without = (field: keyof typeof ok) => {
  const copy: Record<string, unknown> = { ...ok };
  delete copy[field];
  return batch(copy);
};

type Case = {
  name: string;
  body?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  key?: string | null;
  status: number;
  /** Request-level: the error code. Per-event: the path of the first field error. */
  code?: string;
  fieldPath?: string;
};

const ingest = '/v1/events';
const CASES: Case[] = [
  { name: 'truncated JSON', body: '{"events": [', status: 400, code: 'malformed_json' },
  { name: 'a lone brace', body: '{', status: 400, code: 'malformed_json' },
  { name: 'trailing garbage', body: '{"events": []} x', status: 400, code: 'malformed_json' },
  { name: 'single quotes', body: "{'events': []}", status: 400, code: 'malformed_json' },
  { name: 'an empty body', body: '', status: 400, code: 'malformed_json' },
  { name: 'a blank body', body: '   \n', status: 400, code: 'malformed_json' },
  { name: 'null', body: 'null', status: 400, code: 'invalid_request' },
  { name: 'an array body', body: '[]', status: 400, code: 'invalid_request' },
  { name: 'a number body', body: '42', status: 400, code: 'invalid_request' },
  { name: 'a string body', body: '"hello"', status: 400, code: 'invalid_request' },
  { name: 'a bare event on /v1/events', body: JSON.stringify(ok), status: 400, code: 'invalid_request' },
  { name: 'events as an object', body: '{"events": {}}', status: 400, code: 'invalid_request' },
  { name: 'events empty', body: '{"events": []}', status: 400, code: 'invalid_request' },
  { name: 'an unknown top-level field', body: JSON.stringify({ events: [ok], extra: 1 }), status: 400, code: 'invalid_request' },
  { name: '101 events', body: batch(...Array.from({ length: 101 }, (_, i) => ({ ...ok, eventId: `e${i}` }))), status: 413, code: 'payload_too_large' },
  { name: 'a body over 1 MiB', body: batch(...Array.from({ length: 20 }, (_, i) => ({ ...ok, eventId: `e${i}`, type: 'token', payload: { text: 'x'.repeat(60_000) } }))), status: 413, code: 'payload_too_large' },
  { name: 'text/plain', body: batch(ok), headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
  { name: 'application/xml', body: '<events/>', headers: { 'content-type': 'application/xml' }, status: 415, code: 'unsupported_media_type' },
  { name: 'form encoding', body: 'events=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
  { name: 'no Authorization header', body: batch(ok), key: null, status: 401, code: 'unauthorized' },
  { name: 'an unknown key', body: batch(ok), key: 'not-a-real-key-123', status: 401, code: 'unauthorized' },
  { name: 'Basic instead of Bearer', body: batch(ok), key: null, headers: { authorization: 'Basic YWNtZTpwYXNz' }, status: 401, code: 'unauthorized' },
  { name: 'Bearer with no key', body: batch(ok), key: null, headers: { authorization: 'Bearer ' }, status: 401, code: 'unauthorized' },
  { name: '__proto__ at the top', body: '{"__proto__": {"polluted": true}, "events": []}', status: 400, code: 'invalid_request' },
  { name: '__proto__ in an event', body: `{"events": [{"__proto__": {"x": 1}, "eventId": "e1", "runId": "${RUN}", "type": "run.started", "occurredAt": "2026-11-23T10:00:00Z"}]}`, status: 400, code: 'invalid_request' },
  { name: '__proto__ in a payload', body: `{"events": [{"eventId": "e1", "runId": "${RUN}", "type": "custom:x", "occurredAt": "2026-11-23T10:00:00Z", "payload": {"__proto__": {"admin": true}}}]}`, status: 400, code: 'invalid_request' },
  { name: 'an unknown event type', body: withEvent({ type: 'run.exploded' }), status: 400, fieldPath: 'events[0].type' },
  { name: 'a numeric type', body: withEvent({ type: 7 }), status: 400, fieldPath: 'events[0].type' },
  { name: 'a custom type with a space', body: withEvent({ type: 'custom:two words' }), status: 400, fieldPath: 'events[0].type' },
  { name: 'a missing eventId', body: without('eventId'), status: 400, fieldPath: 'events[0].eventId' },
  { name: 'an eventId with a space', body: withEvent({ eventId: 'has space' }), status: 400, fieldPath: 'events[0].eventId' },
  { name: 'an eventId of 129 characters', body: withEvent({ eventId: 'e'.repeat(129) }), status: 400, fieldPath: 'events[0].eventId' },
  { name: 'a runId with a slash', body: withEvent({ runId: 'a/b' }), status: 400, fieldPath: 'events[0].runId' },
  { name: 'a runId with #', body: withEvent({ runId: 'T#other' }), status: 400, fieldPath: 'events[0].runId' },
  { name: 'a missing runId on /v1/events', body: without('runId'), status: 400, fieldPath: 'events[0].runId' },
  { name: 'a body runId unlike the URL', path: `/v1/runs/${RUN}/events`, body: withEvent({ runId: 'other' }), status: 400, fieldPath: 'events[0].runId' },
  { name: 'a threadId with a slash', body: withEvent({ threadId: 'x/y' }), status: 400, fieldPath: 'events[0].threadId' },
  { name: 'a missing occurredAt', body: without('occurredAt'), status: 400, fieldPath: 'events[0].occurredAt' },
  { name: 'an occurredAt that is not RFC 3339', body: withEvent({ occurredAt: '23/11/2026' }), status: 400, fieldPath: 'events[0].occurredAt' },
  { name: 'seq 0', body: withEvent({ seq: 0 }), status: 400, fieldPath: 'events[0].seq' },
  { name: 'a negative seq', body: withEvent({ seq: -3 }), status: 400, fieldPath: 'events[0].seq' },
  { name: 'seq as a string', body: withEvent({ seq: '1' }), status: 400, fieldPath: 'events[0].seq' },
  { name: 'a fractional seq', body: withEvent({ seq: 1.5 }), status: 400, fieldPath: 'events[0].seq' },
  { name: 'progress above 1', body: withEvent({ type: 'run.progress', payload: { progress: 1.2 } }), status: 400, fieldPath: 'events[0].payload.progress' },
  { name: 'progress as text', body: withEvent({ type: 'run.progress', payload: { progress: 'most' } }), status: 400, fieldPath: 'events[0].payload.progress' },
  { name: 'run.failed without error', body: withEvent({ type: 'run.failed', payload: {} }), status: 400, fieldPath: 'events[0].payload.error' },
  { name: 'task.started without taskId', body: withEvent({ type: 'task.started', payload: { name: 'x' } }), status: 400, fieldPath: 'events[0].payload.taskId' },
  { name: 'a token without text', body: withEvent({ type: 'token' }), status: 400, fieldPath: 'events[0].payload' },
  { name: 'a payload that is a string', body: withEvent({ type: 'custom:x', payload: 'text' }), status: 400, fieldPath: 'events[0].payload' },
  { name: 'an unknown envelope field', body: withEvent({ tenant: 'globex' }), status: 400, fieldPath: 'events[0]' },
  { name: 'an event that is a number', body: batch(1), status: 400, fieldPath: 'events[0]' },
  { name: 'an event over 64 KiB', body: withEvent({ type: 'token', payload: { text: 'x'.repeat(66_000) } }), status: 400, fieldPath: 'events[0]' },
  { name: 'a bad runId in the URL', path: '/v1/runs/bad%20id/events', body: JSON.stringify(ok), status: 400, code: 'invalid_parameter' },
  { name: 'DELETE on the ingest route', method: 'DELETE', status: 405, code: 'method_not_allowed' },
  { name: 'an unknown route', path: '/v1/nothing-here', status: 404, code: 'not_found' },
];

describe('malformed requests', () => {
  it.each(CASES)('answers $name with $status and the error shape', async (testCase) => {
    const answer = await request(stack.url, testCase.method ?? 'POST', testCase.path ?? ingest, {
      ...(testCase.body === undefined ? {} : { rawBody: testCase.body }),
      ...(testCase.key === undefined ? {} : { key: testCase.key }),
      ...(testCase.headers === undefined ? {} : { headers: testCase.headers }),
    });
    expect(answer.status).toBe(testCase.status);
    expect(answer.text).not.toMatch(/stack|Error:|at .*\.ts/);
    if (testCase.code !== undefined) {
      expect(answer.body).toEqual({ error: { code: testCase.code, message: expect.any(String), ...(hasDetails(answer.body) ? { details: expect.anything() } : {}) } });
    } else {
      const results = (answer.body as { results: Array<{ status: string; errors: Array<{ path: string; message: string }> }> }).results;
      expect(results).toHaveLength(1);
      expect(results[0]?.status).toBe('rejected');
      expect(results[0]?.errors[0]?.path).toBe(testCase.fieldPath);
      expect(results[0]?.errors[0]?.message).toMatch(/\w+/);
    }
  });

  it('stored nothing for any of them', async () => {
    const client = DynamoDBDocumentClient.from(makeDynamoDbClient({ endpoint: stack.dynamoDbEndpoint }));
    const scan = await client.send(new ScanCommand({ TableName: stack.tableName, FilterExpression: 'begins_with(pk, :run)', ExpressionAttributeValues: { ':run': RUN_PK_PREFIX } }));
    expect(scan.Items).toEqual([]);
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });
});

function hasDetails(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object' && body.error !== null && 'details' in body.error;
}

/** Names that are members of Object.prototype: indexing a plain object with them finds a function. */
const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];
const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

describe('request shapes the gateway never answers 500', () => {
  it.each(PROTOTYPE_NAMES)('serves health with a query parameter named %s', async (name) => {
    const answer = await request(stack.url, 'GET', `/v1/health?${encodeURIComponent(name)}=1`, { key: null });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
  });

  it.each(PROTOTYPE_NAMES)('lists runs with a query parameter named %s (answered 200 or a 400 in the error shape)', async (name) => {
    const answer = await request(stack.url, 'GET', `/v1/runs?${encodeURIComponent(name)}=1&${encodeURIComponent(name)}=2`);
    expect([200, 400]).toContain(answer.status);
    if (answer.status === 400) expect(answer.body).toMatchObject(errorShape);
  });

  it.each(PROTOTYPE_NAMES)('serves health and an authorized route with a header named %s', async (name) => {
    const headers = { [name]: 'x' };
    const health = await request(stack.url, 'GET', '/v1/health', { key: null, headers });
    expect(health.status).toBe(200);
    const stats = await request(stack.url, 'GET', '/v1/stats', { headers });
    expect(stats.status).toBe(200);
  });

  it('answers an unknown method with 400 in the error shape', async () => {
    const answer = await rawRequest(stack.url, 'BREW /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'invalid_request', message: expect.stringMatching(/method/) } });
  });

  it('answers headers over 16 KiB with 431 in the error shape', async () => {
    const answer = await rawRequest(stack.url, `GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'headers_too_large', message: expect.stringMatching(/16 KiB/) } });
  });

  it('answers a header name with a space in it with 400 in the error shape', async () => {
    const answer = await rawRequest(stack.url, 'GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Name: x\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject(errorShape);
  });

  it('answers JSON nested 3,000 levels deep with 400 "nested too deeply" and where', async () => {
    const depth = 3000;
    const body = `{"events": [{"eventId": "e1", "runId": "${RUN}", "type": "custom:deep", "occurredAt": "2026-11-23T10:00:00Z", "payload": ${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}]}`;
    const answer = await request(stack.url, 'POST', ingest, { rawBody: body });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: { code: 'invalid_request', message: expect.stringMatching(/nested too deeply at events\[0\]\.payload\.a/), details: [{ path: expect.stringMatching(/^events\[0\]\.payload\.a/), message: expect.any(String) }] },
    });
  });
});
