import { toTaskViews } from '#shared/run/task-view.ts';
import { httpHandler } from '../http/http-handler.ts';
import { jsonResponse } from '../http/responses.ts';
import { runOf } from '../http/run-route.ts';
import { getRoot } from '../runtime/root.ts';

const { eventStore, logger, tracer } = getRoot();

/** `GET /v1/runs/{runId}/tasks`: every task of the run with its status, attempt and timings. */
export const handler = httpHandler({ logger, tracer }, async (event) => {
  const { state } = await runOf(event, eventStore);
  return jsonResponse(200, { tasks: toTaskViews(state) });
});
