import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MAX_JSON_DEPTH, MAX_REQUEST_BYTES } from '#shared/contract/limits.ts';
import { InvalidRequestError, RequestTooLargeError, UnsupportedMediaTypeError } from '#shared/errors.ts';
import { header } from './header.ts';
import { refuseTooDeep } from './json-depth.ts';

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/**
 * The request body as JSON, or a request-level error: 415 when it is not declared JSON, 413 past
 * 1 MiB, 400 when empty, malformed or nested past MAX_JSON_DEPTH. `__proto__` keys are refused: merged into an object later
 * they would change its prototype.
 */
export function parseJsonBody(event: APIGatewayProxyEvent): unknown {
  const contentType = header(event, 'content-type');
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType)) {
    throw new UnsupportedMediaTypeError(
      `send the body as JSON with the header "Content-Type: application/json" (got ${contentType === undefined ? 'none' : `"${contentType}"`})`,
    );
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > MAX_REQUEST_BYTES) {
    throw new RequestTooLargeError(`the body is ${bytes.byteLength} bytes; a request may be at most ${MAX_REQUEST_BYTES} bytes`);
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw new InvalidRequestError('malformed_json', 'the body is empty; send a JSON object');
  refuseTooDeep(text, MAX_JSON_DEPTH);
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__') throw new ForbiddenKeyError();
      return value;
    });
  } catch (error: unknown) {
    if (error instanceof ForbiddenKeyError) {
      throw new InvalidRequestError('invalid_request', 'JSON keys named "__proto__" are not accepted anywhere in the body');
    }
    const reason = error instanceof SyntaxError ? error.message : 'unreadable';
    throw new InvalidRequestError('malformed_json', `the body is not valid JSON: ${reason}`);
  }
}

class ForbiddenKeyError extends Error {
  override readonly name = 'ForbiddenKeyError';
}
