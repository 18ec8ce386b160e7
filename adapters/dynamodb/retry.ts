export { retryDelayMs, sleep } from '#shared/backoff.ts';

const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING_ERRORS.has(error.name);
}

/** Names the SDK gives a call that got no answer in time (smithy's request and connection timeouts). */
const TIMEOUT_ERRORS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
/** Socket errors of a connection that dropped or could not be made. */
const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/**
 * A failure that says nothing about the request itself, only that the store did not answer: a
 * timeout, a dropped connection, or a 5xx left after the SDK's own retries. Worth the same
 * request again later (appends are idempotent), not a 500.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (TIMEOUT_ERRORS.has(error.name)) return true;
  const code: unknown = Reflect.get(error, 'code');
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  const metadata: unknown = Reflect.get(error, '$metadata');
  const status: unknown = typeof metadata === 'object' && metadata !== null ? Reflect.get(metadata, 'httpStatusCode') : undefined;
  return typeof status === 'number' && status >= 500;
}
