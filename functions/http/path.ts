import type { APIGatewayProxyEvent } from 'aws-lambda';
import { isValidId } from '#shared/contract/ids.ts';
import { InvalidRequestError } from '#shared/errors.ts';

/** A `{name}` path parameter, checked against the id charset; undefined when the route has none. */
export function pathParameter(event: APIGatewayProxyEvent, name: string): string | undefined {
  const value = event.pathParameters?.[name];
  if (value === undefined) return undefined;
  if (!isValidId(value)) {
    throw new InvalidRequestError('invalid_parameter', `${name} in the URL must be 1-128 characters of letters, digits, '.', '_', ':' or '-'`, [
      { path: name, message: 'has characters outside [A-Za-z0-9._:-] or a bad length' },
    ]);
  }
  return value;
}
