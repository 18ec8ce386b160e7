import type { MiddlewareObj } from '@middy/core';
import { part, type Root } from '../compose.ts';

/**
 * X-Ray subsegments per handler call and per DynamoDB call (Powertools Tracer), when the function
 * was built with `traceCalls` on. A build-time switch rather than a setting read at cold start:
 * infra/constructs/handler-function.ts has esbuild replace `process.env.RUNLEDGER_TRACE_CALLS` with
 * its value, so a bundle built without it holds no X-Ray SDK at all (about 110 KiB, and about half
 * of the bundle's own module init: docs/benchmark.md). Lambda's active tracing (a segment per
 * invocation) is on either way. Unbundled (the local stack, tests) it is off unless the variable says otherwise.
 */
const xray = process.env.RUNLEDGER_TRACE_CALLS === 'true' ? await import('./xray.ts') : undefined;

export const tracerOf = /* @__PURE__ */ part(() => (xray === undefined ? undefined : new xray.Tracer({ serviceName: 'runledger' })));

/** The client, each call of it a subsegment when calls are traced; the client itself otherwise. */
export function traced<Client>(root: Root, client: Client): Client {
  return tracerOf(root)?.captureAWSv3Client(client) ?? client;
}

/** The middy middleware that opens the handler's subsegment, when calls are traced (none otherwise). */
export function tracingMiddlewares(root: Root): MiddlewareObj[] {
  const tracer = tracerOf(root);
  return xray === undefined || tracer === undefined ? [] : [xray.captureLambdaHandler(tracer)];
}
