/**
 * The route table: the one list API Gateway (infra/) and the local gateway (local/) both serve.
 * `handler` names the folder under functions/ whose handler.ts answers the route.
 */
export const ROUTES = [
  { method: 'POST', path: '/v1/runs/{runId}/events', handler: 'ingest-events', auth: true },
  { method: 'POST', path: '/v1/events', handler: 'ingest-events', auth: true },
  { method: 'GET', path: '/v1/runs/{runId}', handler: 'get-run', auth: true },
  { method: 'GET', path: '/v1/health', handler: 'health', auth: false },
] as const;

export type Route = (typeof ROUTES)[number];
export type HandlerName = Route['handler'];
