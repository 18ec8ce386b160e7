import type { APIGatewayProxyResult } from 'aws-lambda';
import { jsonResponse } from '../http/responses.ts';

/** `GET /v1/health`: no auth, no dependencies: it answers when the function can run at all. */
export const handler = (): Promise<APIGatewayProxyResult> => Promise.resolve(jsonResponse(200, { status: 'ok' }));
