import { toRunSummary } from '#shared/run/run-summary.ts';
import { httpHandler } from '../http/http-handler.ts';
import { jsonResponse } from '../http/responses.ts';
import { runOf } from '../http/run-route.ts';
import { getRoot } from '../runtime/root.ts';

const { eventStore, logger, tracer } = getRoot();

/** `GET /v1/runs/{runId}`: the run summary, read-your-writes. Another tenant's run is a 404 too. */
export const handler = httpHandler({ logger, tracer }, async (event) => {
  const { state } = await runOf(event, eventStore);
  return jsonResponse(200, toRunSummary(state));
});
