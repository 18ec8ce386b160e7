import type { APIGatewayProxyEvent } from 'aws-lambda';
import { makeProxyEvent } from '#local/proxy-event.ts';

/** An API Gateway REST proxy event as Lambda receives it, for invoking handlers directly. */
export function proxyEvent(options: {
  method: string;
  resource: string;
  path: string;
  pathParameters?: Record<string, string>;
  body?: unknown;
  tenant?: string;
}): APIGatewayProxyEvent {
  return makeProxyEvent({
    method: options.method,
    resource: options.resource,
    path: options.path,
    stage: 'prod',
    headers: { 'Content-Type': 'application/json' },
    pathParameters: options.pathParameters ?? null,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    authorizer: options.tenant === undefined ? null : { tenantId: options.tenant, principalId: options.tenant },
    userAgent: 'vitest',
  });
}
