import {
  BusyError,
  StoreUnavailableError,
  ForbiddenError,
  InvalidRequestError,
  RequestTooLargeError,
  RunNotFoundError,
  ShareLinksOffError,
  TaskNotFoundError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
} from '#shared/errors.ts';
import { StreamCapReachedError } from '#shared/stream/stream-slots.ts';
import { SubscriptionNotFoundError } from '#shared/webhooks/errors.ts';

export type HttpError = { status: number; code: string; message: string; details?: unknown; headers?: Record<string, string> };

/**
 * The one place domain errors become HTTP answers. Anything not listed is a 500 whose body says
 * nothing about the cause (the cause is logged).
 */
export function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof InvalidRequestError) {
    return { status: 400, code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof RequestTooLargeError) return { status: 413, code: 'payload_too_large', message: error.message };
  if (error instanceof UnsupportedMediaTypeError) return { status: 415, code: 'unsupported_media_type', message: error.message };
  if (error instanceof UnauthenticatedError) return { status: 401, code: 'unauthorized', message: error.message };
  if (error instanceof ForbiddenError) return { status: 403, code: 'forbidden', message: error.message };
  if (error instanceof RunNotFoundError || error instanceof TaskNotFoundError || error instanceof ShareLinksOffError || error instanceof SubscriptionNotFoundError) return { status: 404, code: 'not_found', message: error.message };
  if (error instanceof BusyError || error instanceof StreamCapReachedError) {
    return { status: 429, code: 'throttled', message: error.message, headers: { 'retry-after': String(error.retryAfterSeconds) } };
  }
  if (error instanceof StoreUnavailableError) {
    return { status: 503, code: 'unavailable', message: error.message, headers: { 'retry-after': String(error.retryAfterSeconds) } };
  }
  return undefined;
}
