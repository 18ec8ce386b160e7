import type { DynamoDBBatchResponse, DynamoDBStreamEvent, APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import type { APIGatewayProxyEvent as StreamEvent } from 'aws-lambda';
import type { ResponseSink } from '#functions/http/response-sink.ts';
import type { BufferedHandlerName, StreamingHandlerName } from '#functions/routes.ts';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type TokenAuthorizer = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/**
 * The very handler modules Lambda runs, loaded on first use: each builds its dependencies from the
 * environment at import, so the local stack sets the environment first.
 */
export const ROUTE_HANDLERS: Record<BufferedHandlerName, () => Promise<{ handler: ProxyHandler }>> = {
  'ingest-events': () => import('#functions/ingest-events/handler.ts'),
  'get-run': () => import('#functions/get-run/handler.ts'),
  'list-runs': () => import('#functions/list-runs/handler.ts'),
  'list-events': () => import('#functions/list-events/handler.ts'),
  'list-tasks': () => import('#functions/list-tasks/handler.ts'),
  'get-task': () => import('#functions/get-task/handler.ts'),
  'get-stats': () => import('#functions/get-stats/handler.ts'),
  health: () => import('#functions/health/handler.ts'),
  'get-openapi': () => import('#functions/get-openapi/handler.ts'),
};

export type StreamServer = (event: StreamEvent, sink: ResponseSink) => Promise<void>;

/** Streaming routes: the module's `serveStream`, the part of the handler under Lambda's streamifyResponse wrapper. */
export const STREAM_HANDLERS: Record<StreamingHandlerName, () => Promise<{ serveStream: StreamServer }>> = {
  'stream-run': () => import('#functions/stream-run/handler.ts'),
};

export const loadRelay = (): Promise<{ handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> }> => import('#functions/relay/handler.ts');

export type ObserverHandler = (event: unknown, context: Context) => Promise<void>;

/**
 * An observer's handler module by its folder name (the registry names it, functions/observers.ts),
 * so a new built-in observer needs no line here. The module must export `handler`.
 */
export async function loadObserverHandler(folder: string): Promise<ObserverHandler> {
  if (!/^[a-z0-9-]+$/.test(folder)) throw new Error(`observer handler folder '${folder}' must be lowercase letters, digits and '-'`);
  const module: unknown = await import(`../functions/${folder}/handler.ts`);
  const handler: unknown = typeof module === 'object' && module !== null && 'handler' in module ? module.handler : undefined;
  if (!isObserverHandler(handler)) throw new Error(`functions/${folder}/handler.ts exports no handler function`);
  return handler;
}

/** A module's `handler` export: functions/ handlers all take (event, context) and return a promise. */
function isObserverHandler(value: unknown): value is ObserverHandler {
  return typeof value === 'function';
}

export const loadAuthorizer = (): Promise<{ handler: TokenAuthorizer }> => import('#functions/authorize/handler.ts');

export const loadStaleRunDetector = (): Promise<{ handler: (event: { time: string }) => Promise<{ examined: number; timedOut: number }> }> =>
  import('#functions/detect-stale-runs/handler.ts');
