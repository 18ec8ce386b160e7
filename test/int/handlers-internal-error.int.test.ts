import { beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { ProxyHandler } from '#local/handlers.ts';
import { localLambdaContext } from '#local/lambda-context.ts';
import { proxyEvent } from '#test/support/proxy-event.ts';

let ingest: ProxyHandler;

beforeAll(async () => {
  // A table that does not exist: every store call fails with an SDK error full of internals.
  process.env.RUNLEDGER_DYNAMODB_ENDPOINT = inject('dynamoDbEndpoint');
  process.env.RUNLEDGER_TABLE_NAME = 'no-such-table';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  ingest = (await import('#functions/ingest-events/handler.ts')).handler;
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
