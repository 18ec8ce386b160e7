import { decodeRunsCursor, encodeRunsCursor } from '#shared/query/runs-cursor.ts';
import { parseQuery, RunsQuerySchema } from '#shared/query/query-params.ts';
import { toRunSummary } from '#shared/run/run-summary.ts';
import { httpHandler } from '../http/http-handler.ts';
import { jsonResponse } from '../http/responses.ts';
import { tenantOf } from '../http/tenant.ts';
import type { Root } from '../runtime/compose.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';

/**
 * `GET /v1/runs?status=&threadId=&limit=&cursor=`: `{runs, nextCursor}`, most recently updated
 * first (to the minute), from the run indexes: the cost follows the page, never the tenant's runs.
 */
export function makeListRunsHandler(root: Root) {
  const eventStore = eventStoreOf(root);
  return httpHandler(root, async (event) => {
    const tenant = tenantOf(event);
    const { status, threadId, limit, cursor } = parseQuery(RunsQuerySchema, event.queryStringParameters);
    const filters = { ...(status === undefined ? {} : { status }), ...(threadId === undefined ? {} : { threadId }) };
    const before = cursor === undefined ? undefined : decodeRunsCursor(tenant, cursor, filters);
    const page = await eventStore.listRuns(tenant, { ...filters, limit, ...(before === undefined ? {} : { before }) });
    return jsonResponse(200, {
      runs: page.runs.map(toRunSummary),
      nextCursor: page.nextBefore === null ? null : encodeRunsCursor(tenant, { before: page.nextBefore, ...filters }),
    });
  });
}
