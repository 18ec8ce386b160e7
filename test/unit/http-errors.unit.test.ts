import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { httpErrors } from '#functions/http/http-errors.ts';
import { localLambdaContext } from '#local/lambda-context.ts';
import { BusyError, InvalidRequestError, StoreUnavailableError, RequestTooLargeError, RunNotFoundError, UnauthenticatedError, UnsupportedMediaTypeError } from '#shared/errors.ts';
import { proxyEvent } from '#test/support/proxy-event.ts';

function failingWith(error: unknown) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpErrors(new Logger({ logLevel: 'SILENT' })))
    .handler(() => Promise.reject(error instanceof Error ? error : new Error(String(error))));
}

async function answer(error: unknown) {
  const response = await failingWith(error)(proxyEvent({ method: 'POST', resource: '/v1/events', path: '/v1/events' }), localLambdaContext('test'));
  return { status: response.statusCode, headers: response.headers ?? {}, body: JSON.parse(response.body) as unknown };
}

describe('httpErrors middleware', () => {
  it('answers a busy run or throttled store with 429 and Retry-After', async () => {
    const { status, headers, body } = await answer(new BusyError('too many concurrent writers on run r; retry the request', 2));
    expect(status).toBe(429);
    expect(headers['retry-after']).toBe('2');
    expect(body).toEqual({ error: { code: 'throttled', message: 'too many concurrent writers on run r; retry the request' } });
  });

  it('answers a store that did not answer with 503 and Retry-After, naming nothing internal', async () => {
    const { status, headers, body } = await answer(new StoreUnavailableError('the event store did not answer in time; retry shortly', 1, { cause: new Error('socket hang up at 10.0.0.1') }));
    expect(status).toBe(503);
    expect(headers['retry-after']).toBe('1');
    expect(body).toEqual({ error: { code: 'unavailable', message: 'the event store did not answer in time; retry shortly' } });
  });

  it.each([
    [new InvalidRequestError('malformed_json', 'bad'), 400, 'malformed_json'],
    [new UnauthenticatedError('who are you'), 401, 'unauthorized'],
    [new RunNotFoundError('r'), 404, 'not_found'],
    [new RequestTooLargeError('big'), 413, 'payload_too_large'],
    [new UnsupportedMediaTypeError('xml'), 415, 'unsupported_media_type'],
  ])('maps %s to %i', async (error, status, code) => {
    const result = await answer(error);
    expect(result.status).toBe(status);
    expect(result.body).toMatchObject({ error: { code, message: error.message } });
  });

  it('answers anything else with a generic 500 that names nothing internal', async () => {
    const result = await answer(new Error('ECONNREFUSED 10.0.0.12:8000 table runledger-prod'));
    expect(result.status).toBe(500);
    expect(JSON.stringify(result.body)).not.toMatch(/ECONNREFUSED|runledger-prod/);
  });
});
