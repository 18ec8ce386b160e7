import type { KeyScope } from '#shared/ports.ts';

/**
 * The route table: the one list API Gateway (infra/) and the local gateway (local/) both serve.
 * `handler` names the folder under functions/ whose handler.ts answers the route.
 */
export const ROUTES = [
  { method: 'POST', path: '/v1/runs/{runId}/events', handler: 'ingest-events', auth: true },
  { method: 'POST', path: '/v1/events', handler: 'ingest-events', auth: true },
  { method: 'GET', path: '/v1/runs', handler: 'list-runs', auth: true },
  // `shared`: a share token (shared/auth/share-tokens.ts) for the run may read it, as `?token=` or a bearer.
  { method: 'GET', path: '/v1/runs/{runId}', handler: 'get-run', auth: true, shared: true },
  { method: 'GET', path: '/v1/runs/{runId}/events', handler: 'list-events', auth: true, shared: true },
  { method: 'GET', path: '/v1/runs/{runId}/tasks', handler: 'list-tasks', auth: true, shared: true },
  { method: 'GET', path: '/v1/runs/{runId}/tasks/{taskId}', handler: 'get-task', auth: true, shared: true },
  { method: 'GET', path: '/v1/runs/{runId}/stream', handler: 'stream-run', auth: true, streaming: true, shared: true },
  { method: 'POST', path: '/v1/runs/{runId}/share', handler: 'share-run', auth: true },
  { method: 'GET', path: '/v1/stats', handler: 'get-stats', auth: true },
  { method: 'GET', path: '/v1/health', handler: 'health', auth: false },
  // OTLP/HTTP's fixed path, so `OTEL_EXPORTER_OTLP_ENDPOINT=<api>` works as exporters append it.
  { method: 'POST', path: '/v1/traces', handler: 'ingest-traces', auth: true },
  // Behind the key like every route but health (the house rule); tools without a key read the
  // same document from the package (`runledger/openapi.json`) or the repository.
  { method: 'GET', path: '/v1/openapi.json', handler: 'get-openapi', auth: true },
  { method: 'POST', path: '/v1/subscriptions', handler: 'manage-subscriptions', auth: true },
  { method: 'GET', path: '/v1/subscriptions', handler: 'manage-subscriptions', auth: true },
  { method: 'GET', path: '/v1/subscriptions/{subscriptionId}', handler: 'manage-subscriptions', auth: true },
  { method: 'PATCH', path: '/v1/subscriptions/{subscriptionId}', handler: 'manage-subscriptions', auth: true },
  { method: 'DELETE', path: '/v1/subscriptions/{subscriptionId}', handler: 'manage-subscriptions', auth: true },
  { method: 'POST', path: '/v1/subscriptions/{subscriptionId}/replay', handler: 'replay-subscription', auth: true },
  { method: 'POST', path: '/v1/subscriptions/{subscriptionId}/redrive', handler: 'replay-subscription', auth: true },
  { method: 'GET', path: '/v1/runs/{runId}/deliveries', handler: 'list-deliveries', auth: true },
] as const;

/**
 * Request media types whose bodies are bytes, not text: API Gateway passes them base64-encoded
 * (`binaryMediaTypes`) and so does the local gateway. Other bodies arrive as UTF-8 text.
 */
export const BINARY_MEDIA_TYPES = ['application/x-protobuf'] as const;

/** What each handler may do with the events table: infra grants exactly this. */
export const HANDLER_TABLE_ACCESS: Record<HandlerName, 'run-writer' | 'run-reader' | 'none'> = {
  'ingest-events': 'run-writer',
  'ingest-traces': 'run-writer',
  'get-run': 'run-reader',
  'list-runs': 'run-reader',
  'list-events': 'run-reader',
  'list-tasks': 'run-reader',
  'get-task': 'run-reader',
  'get-stats': 'run-reader',
  'stream-run': 'run-reader',
  'share-run': 'run-reader',
  health: 'none',
  'get-openapi': 'none',
  // Webhook items (`W#`) are granted apart (infra/constructs/webhooks.ts); these read runs only.
  'manage-subscriptions': 'none',
  'replay-subscription': 'run-reader',
  'list-deliveries': 'run-reader',
};

export type Route = (typeof ROUTES)[number];
export type HandlerName = Route['handler'];
/** Routes whose handler streams its answer (Lambda response streaming) instead of returning it. */
export type StreamingHandlerName = Extract<Route, { streaming: true }>['handler'];
export type BufferedHandlerName = Exclude<HandlerName, StreamingHandlerName>;

export function isStreaming(route: Route): route is Extract<Route, { streaming: true }> {
  return 'streaming' in route && route.streaming;
}

/** Whether a share token for the run may read this route (and `?token=` is taken on it). */
export function isShared(route: Route): boolean {
  return 'shared' in route && route.shared;
}

/**
 * The key scope a route needs (shared/auth/scopes.ts): ingesting (events or OTLP traces),
 * changing subscriptions and queueing deliveries need `write`, every other authorized route `read`.
 * The authorizer's policy and the handlers both judge by this.
 */
export function scopeOf(route: Pick<Route, 'handler'> & { readonly method?: string }): KeyScope {
  if (route.handler === 'ingest-events' || route.handler === 'ingest-traces' || route.handler === 'replay-subscription') return 'write';
  return route.handler === 'manage-subscriptions' && route.method !== 'GET' ? 'write' : 'read';
}

/** A route as an execute-api resource path: `POST/v1/runs/*\/events` (path parameters as wildcards). */
export function resourcePathOf(route: Pick<Route, 'method'> & { readonly path: string }): string {
  return `${route.method}${route.path.replaceAll(/\{\w+\}/g, '*')}`;
}

export const HANDLER_NAMES = Object.keys(HANDLER_TABLE_ACCESS) as HandlerName[];
