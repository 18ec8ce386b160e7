import { beforeAll, describe, expect, it } from 'vitest';
import { makeAuthorizeHandler } from '#functions/authorize/authorize.ts';
import { makeGetRunHandler } from '#functions/get-run/get-run.ts';
import { makeIngestEventsHandler } from '#functions/ingest-events/ingest-events.ts';
import { apiKeyStoreOf } from '#functions/runtime/parts/stores.ts';
import { hashApiKey } from '#shared/auth/api-keys.ts';
import type { ProxyHandler, TokenAuthorizer } from '#local/handlers.ts';
import { localLambdaContext } from '#local/lambda-context.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';
import { uniqueId } from '#test/support/events.ts';
import { proxyEvent } from '#test/support/proxy-event.ts';
import { makeTestRoot } from '#test/support/root.ts';

// The handlers Lambda's entries export, made by the same functions from a root on a test table.
let handlers: {
  ingest: ProxyHandler;
  getRun: ProxyHandler;
  authorize: TokenAuthorizer;
};

beforeAll(async () => {
  const root = makeTestRoot(await makeTestTable());
  await apiKeyStoreOf(root).saveKey(hashApiKey('k-acme-123456'), { tenant: 'acme', scope: 'write' });
  handlers = { ingest: makeIngestEventsHandler(root), getRun: makeGetRunHandler(root), authorize: makeAuthorizeHandler(root) };
});

const context = localLambdaContext('test');
const started = (eventId: string) => ({ eventId, type: 'run.started', occurredAt: '2026-11-23T10:00:00Z' });

describe('ingest-events handler through middy', () => {
  it('stores an event for the authorizer’s tenant and answers 202', async () => {
    const runId = uniqueId('run');
    const response = await handlers.ingest(
      proxyEvent({ method: 'POST', resource: '/v1/runs/{runId}/events', path: `/v1/runs/${runId}/events`, pathParameters: { runId }, body: started('a'), tenant: 'acme' }),
      context,
    );
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toEqual({ results: [{ status: 'accepted', eventId: 'a', runId, seq: 1 }] });
    const run = await handlers.getRun(proxyEvent({ method: 'GET', resource: '/v1/runs/{runId}', path: `/v1/runs/${runId}`, pathParameters: { runId }, tenant: 'acme' }), context);
    expect(JSON.parse(run.body)).toMatchObject({ runId, status: 'running' });
  });

  it('answers 401 when no authorizer tenant reached it', async () => {
    const response = await handlers.ingest(proxyEvent({ method: 'POST', resource: '/v1/events', path: '/v1/events', body: { events: [started('a')] } }), context);
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'unauthorized' } });
  });
});

describe('get-run handler through middy', () => {
  it('answers 404 in the error shape for an unknown run', async () => {
    const response = await handlers.getRun(proxyEvent({ method: 'GET', resource: '/v1/runs/{runId}', path: '/v1/runs/none', pathParameters: { runId: 'none' }, tenant: 'acme' }), context);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'not_found', message: "run 'none' was not found" } });
  });
});

describe('authorize handler', () => {
  const methodArn = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/POST/v1/events';

  it('allows a known key for the whole API and hands its tenant on', async () => {
    const result = await handlers.authorize({ type: 'TOKEN', authorizationToken: 'Bearer k-acme-123456', methodArn });
    expect(result.context).toEqual({ tenantId: 'acme', scope: 'write' });
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*' }]);
  });

  it('answers Unauthorized for an unknown key and a malformed header', async () => {
    await expect(handlers.authorize({ type: 'TOKEN', authorizationToken: 'Bearer nope-nope-nope', methodArn })).rejects.toThrow('Unauthorized');
    await expect(handlers.authorize({ type: 'TOKEN', authorizationToken: 'k-acme-123456', methodArn })).rejects.toThrow('Unauthorized');
  });
});
