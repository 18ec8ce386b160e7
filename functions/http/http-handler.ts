import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Root } from '../runtime/compose.ts';
import { tracingMiddlewares } from '../runtime/parts/tracer.ts';
import { cors } from './cors.ts';
import { httpErrors } from './http-errors.ts';

/**
 * The middy pipeline every HTTP route shares: X-Ray around the call (when calls are traced), CORS
 * headers on every answer, then errors answered in the contract's shape (middy runs onError
 * last-used first, so the error answer exists when CORS adds its headers). The route supplies only
 * its handler.
 */
export function httpHandler(root: Root, handle: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(tracingMiddlewares(root))
    .use(cors(root.config.RUNLEDGER_CORS_ORIGINS))
    .use(httpErrors(root.logger))
    .handler(handle);
}
