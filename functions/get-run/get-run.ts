import { toRunSummary } from '#shared/run/run-summary.ts';
import { httpHandler } from '../http/http-handler.ts';
import { jsonResponse } from '../http/responses.ts';
import { runOf } from '../http/run-route.ts';
import type { Root } from '../runtime/compose.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';

/** `GET /v1/runs/{runId}`: the run summary, read-your-writes. Another tenant's run is a 404 too. */
export function makeGetRunHandler(root: Root) {
  const eventStore = eventStoreOf(root);
  return httpHandler(root, async (event) => {
    const { state } = await runOf(event, eventStore);
    return jsonResponse(200, toRunSummary(state));
  });
}
