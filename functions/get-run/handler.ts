import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { RunNotFoundError } from '#shared/errors.ts';
import { toRunSummary } from '#shared/run/run-summary.ts';
import { httpErrors } from '../http/http-errors.ts';
import { pathParameter } from '../http/path.ts';
import { jsonResponse } from '../http/responses.ts';
import { tenantOf } from '../http/tenant.ts';
import { getRoot } from '../runtime/root.ts';

const { eventStore, logger, tracer } = getRoot();

/** `GET /v1/runs/{runId}`: the run summary, read-your-writes. Another tenant's run is a 404 too. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(captureLambdaHandler(tracer))
  .use(httpErrors(logger))
  .handler(async (event) => {
    const tenant = tenantOf(event);
    const runId = pathParameter(event, 'runId') ?? '';
    const state = await eventStore.getRun(tenant, runId);
    if (state === undefined) throw new RunNotFoundError(runId);
    return jsonResponse(200, toRunSummary(state));
  });
