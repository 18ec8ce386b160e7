import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { toTaskViews } from '#shared/run/task-view.ts';
import { httpErrors } from '../http/http-errors.ts';
import { jsonResponse } from '../http/responses.ts';
import { runOf } from '../http/run-route.ts';
import { getRoot } from '../runtime/root.ts';

const { eventStore, logger, tracer } = getRoot();

/** `GET /v1/runs/{runId}/tasks`: every task of the run with its status, attempt and timings. */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(captureLambdaHandler(tracer))
  .use(httpErrors(logger))
  .handler(async (event) => {
    const { state } = await runOf(event, eventStore);
    return jsonResponse(200, { tasks: toTaskViews(state) });
  });
