import type { DynamoDBBatchResponse, DynamoDBStreamEvent, APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import type { HandlerName } from '#functions/routes.ts';
import type { ObserverHandlerName } from '#functions/observers.ts';

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

/** Observer handlers take the EventBridge event as it comes (they parse it themselves). */
export const OBSERVER_HANDLERS: Record<ObserverHandlerName, () => Promise<{ handler: (event: unknown, context: Context) => Promise<void> }>> = {
  'metrics-observer': () => import('#functions/metrics-observer/handler.ts'),
  'alerting-observer': () => import('#functions/alerting-observer/handler.ts'),
};

export const loadAuthorizer = (): Promise<{ handler: TokenAuthorizer }> => import('#functions/authorize/handler.ts');
