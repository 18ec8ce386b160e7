import type { APIGatewayProxyResult } from 'aws-lambda';
import document from '../../openapi.json' with { type: 'json' };
import { jsonResponse } from '../http/responses.ts';

/**
 * `GET /v1/openapi.json`: the committed OpenAPI document (a test keeps it equal to what the code
 * generates), bundled into the function: nothing is computed per request or at cold start.
 * It is not open: it needs an API key like every route but health, so its answer may be kept by
 * the client only (`private`), never by a shared cache. The same file ships in the package
 * (`runledger/openapi.json`) for tools that have no key.
 */
export const handler = (): Promise<APIGatewayProxyResult> => Promise.resolve(jsonResponse(200, document, { 'cache-control': 'private, max-age=300' }));
