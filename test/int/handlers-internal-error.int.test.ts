import { beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { makeIngestEventsHandler } from '#functions/ingest-events/ingest-events.ts';
import type { ProxyHandler } from '#local/handlers.ts';
import { localLambdaContext } from '#local/lambda-context.ts';
import { proxyEvent } from '#test/support/proxy-event.ts';
import { makeTestRoot } from '#test/support/root.ts';

let ingest: ProxyHandler;

beforeAll(() => {
  // A table that does not exist: every store call fails with an SDK error full of internals.
  ingest = makeIngestEventsHandler(makeTestRoot({ client: makeDynamoDbClient({ endpoint: inject('dynamoDbEndpoint') }), tableName: 'no-such-table' }));
});

it('answers an unexpected failure with a generic 500 that leaks nothing', async () => {
  const response = await ingest(
    proxyEvent({ method: 'POST', resource: '/v1/events', path: '/v1/events', tenant: 'acme', body: { events: [{ eventId: 'a', runId: 'r', type: 'run.started', occurredAt: '2026-11-23T10:00:00Z' }] } }),
    localLambdaContext('test'),
  );
  expect(response.statusCode).toBe(500);
  expect(JSON.parse(response.body)).toEqual({ error: { code: 'internal_error', message: 'something went wrong on our side; it has been logged' } });
  expect(response.body).not.toContain('no-such-table');
});
