import { ConditionalCheckFailedException, InternalServerError } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { isThrottling, isTransient } from '#adapters/dynamodb/retry.ts';

const named = (name: string, extra: Record<string, unknown> = {}): Error => Object.assign(Object.assign(new Error(name), { name }), extra);

describe('which DynamoDB failures ask for the same request again', () => {
  it.each([
    ['a request timeout', named('TimeoutError')],
    ['a dropped connection', named('Error', { code: 'ECONNRESET' })],
    ['a refused connection', named('Error', { code: 'ECONNREFUSED' })],
    ['a 5xx left after the SDK retried', new InternalServerError({ message: 'boom', $metadata: { httpStatusCode: 500 } })],
  ])('treats %s as transient', (_, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    ['a failed condition', new ConditionalCheckFailedException({ message: 'taken', $metadata: { httpStatusCode: 400 } })],
    ['a validation error', named('ValidationException', { $metadata: { httpStatusCode: 400 } })],
    ['something that is not an Error', { name: 'TimeoutError' }],
  ])('does not treat %s as transient', (_, error) => {
    expect(isTransient(error)).toBe(false);
  });

  it('keeps throttling apart (429, not 503)', () => {
    expect(isThrottling(named('ThrottlingException'))).toBe(true);
    expect(isTransient(named('ThrottlingException', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
  });
});
