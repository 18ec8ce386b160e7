import type { APIGatewayProxyResult } from 'aws-lambda';
import document from '../../openapi.json' with { type: 'json' };
import { jsonResponse } from '../http/responses.ts';

/**
 * `GET /v1/openapi.json`: the committed OpenAPI document (a test keeps it equal to what the code
 * generates), bundled into the function: nothing is computed per request or at cold start.
 * No auth, like health: it is the public contract and holds no tenant data, and tools such as
 * Swagger UI and client generators fetch it without a key.
 */
export const handler = (): Promise<APIGatewayProxyResult> => Promise.resolve(jsonResponse(200, document, { 'cache-control': 'public, max-age=300' }));
