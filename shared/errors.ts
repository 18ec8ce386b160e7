/**
 * Domain errors. They say what went wrong in the caller's terms and carry no HTTP: the edge maps
 * them to status codes in one table (functions/http/error-table.ts).
 */

/** The request body is not what the route takes (bad JSON, wrong shape). Nothing was stored. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  readonly code: 'malformed_json' | 'invalid_request' | 'invalid_parameter';
  readonly details?: unknown;
  constructor(code: InvalidRequestError['code'], message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** The request is over a size or count limit. Nothing was stored. */
export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError';
}

/** The request body is not JSON. */
export class UnsupportedMediaTypeError extends Error {
  override readonly name = 'UnsupportedMediaTypeError';
}

/** No API key, or one we do not know. */
export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
}

/** A known key whose scope does not cover the request (a `read` key ingesting). */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/** The run does not exist for this tenant (whether or not another tenant has one by that id). */
export class RunNotFoundError extends Error {
  override readonly name = 'RunNotFoundError';
  readonly runId: string;
  constructor(runId: string) {
    super(`run '${runId}' was not found`);
    this.runId = runId;
  }
}

/** The run has no task by that id. */
export class TaskNotFoundError extends Error {
  override readonly name = 'TaskNotFoundError';
  constructor(runId: string, taskId: string) {
    super(`run '${runId}' has no task '${taskId}'`);
  }
}

/** A failure the caller should answer by sending the same request again after `retryAfterSeconds`. */
export abstract class RetryLaterError extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options?: ErrorOptions) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Writers kept colliding on one run, or the store throttled us: the caller should retry later. */
export class BusyError extends RetryLaterError {
  override readonly name = 'BusyError';
}

/**
 * The store did not answer (a timeout, a dropped connection, a 5xx after the SDK's own retries):
 * nothing is known to be lost, and appends are idempotent, so the caller should send the same
 * request again shortly.
 */
export class StoreUnavailableError extends RetryLaterError {
  override readonly name = 'StoreUnavailableError';
}

/** Share links were asked for where no signing key is configured. */
export class ShareLinksOffError extends Error {
  override readonly name = 'ShareLinksOffError';
}
