import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import document from '../../openapi.json' with { type: 'json' };
import { corsHeadersFor, parseOrigins } from '../http/cors.ts';
import { jsonResponse } from '../http/responses.ts';

/**
 * `GET /v1/openapi.json`: the committed OpenAPI document (a test keeps it equal to what the code
 * generates), bundled into the function: nothing is computed per request or at cold start.
 * It is not open: it needs an API key like every route but health, so its answer may be kept by
 * the client only (`private`), never by a shared cache. The same file ships in the package
 * (`runledger/openapi.json`) for tools that have no key.
 */
export function makeGetOpenApiHandler(corsOrigins: readonly string[]) {
  return (event: Pick<APIGatewayProxyEvent, 'headers'>): Promise<APIGatewayProxyResult> =>
    Promise.resolve(jsonResponse(200, document, { 'cache-control': 'private, max-age=300', ...corsHeadersFor(corsOrigins, event) }));
}

// No composition root here (it would load the config schema for one setting): the origins are read as the root reads them.
export const handler = makeGetOpenApiHandler(parseOrigins(process.env.RUNLEDGER_CORS_ORIGINS));
