import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Root } from '../runtime/compose.ts';
import { tracingMiddlewares } from '../runtime/parts/tracer.ts';
import { httpErrors } from './http-errors.ts';

/**
 * The middy pipeline every HTTP route shares: X-Ray around the call (when calls are traced), then errors answered in the
 * contract's shape. The route supplies only its handler.
 */
export function httpHandler(root: Root, handle: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>().use(tracingMiddlewares(root)).use(httpErrors(root.logger)).handler(handle);
}
