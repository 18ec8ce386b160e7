import { toTaskViews } from '#shared/run/task-view.ts';
import { httpHandler } from '../http/http-handler.ts';
import { jsonResponse } from '../http/responses.ts';
import { runOf } from '../http/run-route.ts';
import type { Root } from '../runtime/compose.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';

/** `GET /v1/runs/{runId}/tasks`: every task of the run with its status, attempt and timings. */
export function makeListTasksHandler(root: Root) {
  const eventStore = eventStoreOf(root);
  return httpHandler(root, async (event) => {
    const { state } = await runOf(event, eventStore);
    return jsonResponse(200, { tasks: toTaskViews(state) });
  });
}
