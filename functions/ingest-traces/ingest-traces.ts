import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { makeIngestTraces } from '#shared/otlp/make-ingest-traces.ts';
import { cors } from '../http/cors.ts';
import { tenantOf } from '../http/tenant.ts';
import type { Root } from '../runtime/compose.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';
import { tracingMiddlewares } from '../runtime/parts/tracer.ts';
import { exportAnswer, otlpErrors } from './otlp-answers.ts';
import { readExport } from './read-export.ts';

/**
 * `POST /v1/traces`: an OTLP/HTTP trace export (docs/opentelemetry.md). The pipeline of every HTTP
 * route, with OTLP's error answers (a Status body in the request's encoding) in place of the
 * contract's error shape: OTLP exporters read those.
 */
export function makeIngestTracesHandler(root: Root) {
  const ingestTraces = makeIngestTraces({ store: eventStoreOf(root) });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(tracingMiddlewares(root))
    .use(cors(root.config.RUNLEDGER_CORS_ORIGINS))
    .use(otlpErrors(root.logger))
    .handler(async (event) => {
      const tenant = tenantOf(event, 'write', root.clock.now());
      const { format, spans } = readExport(event);
      return exportAnswer(format, await ingestTraces({ tenant, spans }));
    });
}
