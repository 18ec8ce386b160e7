import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { toHttpError } from './error-table.ts';
import { errorResponse } from './responses.ts';

/**
 * Answers every error in the contract's error shape. Known domain errors get their status and
 * message; anything else is logged once with its cause and answered with a generic 500.
 */
export function httpErrors(logger: Logger): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: (request) => {
      request.response = errorResult(request.error, logger);
    },
  };
}

/** The contract's answer to an error; the cause of a 5xx is logged, never sent. */
export function errorResult(error: unknown, logger: Logger): APIGatewayProxyResult {
  const mapped = toHttpError(error);
  if (mapped !== undefined) {
    if (mapped.status >= 500) logger.error('request failed', { error });
    return errorResponse(mapped.status, mapped, mapped.headers);
  }
  logger.error('unexpected error', { error });
  return errorResponse(500, { code: 'internal_error', message: 'something went wrong on our side; it has been logged' });
}
