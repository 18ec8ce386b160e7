import type { APIGatewayProxyResult } from 'aws-lambda';
import document from '../../openapi.json' with { type: 'json' };
import { jsonResponse } from '../http/responses.ts';

/**
 * `GET /v1/openapi.json`: the committed OpenAPI document (a test keeps it equal to what the code
 * generates), bundled into the function: nothing is computed per request or at cold start.
 * It needs an API key like every route but health; the same file ships in the package
 * (`runledger/openapi.json`) for tools that have none.
 */
export const handler = (): Promise<APIGatewayProxyResult> => Promise.resolve(jsonResponse(200, document, { 'cache-control': 'public, max-age=300' }));
