import { Tracer } from '@aws-lambda-powertools/tracer';
import { part } from '../compose.ts';

/** X-Ray: a segment per invocation and a subsegment per DynamoDB call in AWS; off outside Lambda. */
export const tracerOf = /* @__PURE__ */ part(() => new Tracer({ serviceName: 'runledger' }));
