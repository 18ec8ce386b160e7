import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { httpErrors } from './http-errors.ts';

/**
 * The middy pipeline every HTTP route shares: X-Ray around the call, then errors answered in the
 * contract's shape. The route supplies only its handler.
 */
export function httpHandler(
  { logger, tracer }: { logger: Logger; tracer: Tracer },
  handle: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(captureLambdaHandler(tracer)).use(httpErrors(logger)).handler(handle);
}
