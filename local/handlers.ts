import type { DynamoDBBatchResponse, DynamoDBStreamEvent, APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import type { HandlerName } from '#functions/routes.ts';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type TokenAuthorizer = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/**
 * The very handler modules Lambda runs, loaded on first use: each builds its dependencies from the
 * environment at import, so the local stack sets the environment first.
 */
export const ROUTE_HANDLERS: Record<HandlerName, () => Promise<{ handler: ProxyHandler }>> = {
  'ingest-events': () => import('#functions/ingest-events/handler.ts'),
  'get-run': () => import('#functions/get-run/handler.ts'),
  health: () => import('#functions/health/handler.ts'),
};

export const loadRelay = (): Promise<{ handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> }> => import('#functions/relay/handler.ts');

export const loadAuthorizer = (): Promise<{ handler: TokenAuthorizer }> => import('#functions/authorize/handler.ts');
