import { TaskIdSchema } from '#shared/contract/payloads.ts';
import { InvalidRequestError, TaskNotFoundError } from '#shared/errors.ts';
import { toTaskViews } from '#shared/run/task-view.ts';
import { TaskHistoryQuerySchema, parseQuery } from '#shared/query/query-params.ts';
import { httpHandler } from '../http/http-handler.ts';
import { jsonResponse } from '../http/responses.ts';
import { runOf } from '../http/run-route.ts';
import type { Root } from '../runtime/compose.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';

/** `GET /v1/runs/{runId}/tasks/{taskId}?afterSeq=&limit=`: one task and its events in order (AntFlow's get_history). */
export function makeGetTaskHandler(root: Root) {
  const eventStore = eventStoreOf(root);
  return httpHandler(root, async (event) => {
    const taskId = TaskIdSchema.safeParse(event.pathParameters?.taskId);
    if (!taskId.success) throw new InvalidRequestError('invalid_parameter', 'taskId in the URL must be 1-256 characters', [{ path: 'taskId', message: 'must be 1-256 characters' }]);
    const query = parseQuery(TaskHistoryQuerySchema, event.queryStringParameters);
    const { tenant, runId, state } = await runOf(event, eventStore);
    const task = toTaskViews(state).find((view) => view.taskId === taskId.data);
    if (task === undefined) throw new TaskNotFoundError(runId, taskId.data);
    const events = await eventStore.listTaskEvents(tenant, runId, taskId.data, { afterSeq: query.afterSeq, limit: query.limit + 1 });
    const page = events.slice(0, query.limit);
    return jsonResponse(200, { task, events: page, nextAfterSeq: events.length > query.limit ? (page.at(-1)?.seq ?? null) : null });
  });
}
