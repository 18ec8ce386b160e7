import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { corsHeadersFor, parseOrigins } from '../http/cors.ts';
import { jsonResponse } from '../http/responses.ts';

/** `GET /v1/health`: no auth, no dependencies: it answers when the function can run at all. */
export function makeHealthHandler(corsOrigins: readonly string[]) {
  return (event: Pick<APIGatewayProxyEvent, 'headers'>): Promise<APIGatewayProxyResult> => Promise.resolve(jsonResponse(200, { status: 'ok' }, corsHeadersFor(corsOrigins, event)));
}

// No composition root here (it would load the config schema for one setting): the origins are read as the root reads them.
export const handler = makeHealthHandler(parseOrigins(process.env.RUNLEDGER_CORS_ORIGINS));
