import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { httpErrors } from '../http/http-errors.ts';
import { jsonResponse } from '../http/responses.ts';
import { tenantOf } from '../http/tenant.ts';
import { getRoot } from '../runtime/root.ts';

const { eventStore, logger, tracer } = getRoot();

/** `GET /v1/stats`: the tenant's runs by status, one read (kept current by every write, never a scan). */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(captureLambdaHandler(tracer))
  .use(httpErrors(logger))
  .handler(async (event) => jsonResponse(200, { runs: await eventStore.getStats(tenantOf(event)) }));
