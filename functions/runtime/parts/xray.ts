/** The X-Ray SDK side of tracing, imported only by a bundle built with `traceCalls` on (parts/tracer.ts). */
export { Tracer } from '@aws-lambda-powertools/tracer';
export { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
