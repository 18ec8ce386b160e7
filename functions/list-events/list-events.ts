import { makePageEvents } from '#shared/query/page-events.ts';
import { EventPageQuerySchema, parseQuery } from '#shared/query/query-params.ts';
import { httpHandler } from '../http/http-handler.ts';
import { jsonResponse } from '../http/responses.ts';
import { runOf } from '../http/run-route.ts';
import type { Root } from '../runtime/compose.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';

/** `GET /v1/runs/{runId}/events?afterSeq=&limit=&types=`: `{events, nextAfterSeq}` in seq order. */
export function makeListEventsHandler(root: Root) {
  const eventStore = eventStoreOf(root);
  const pageEvents = makePageEvents({ store: eventStore });
  return httpHandler(root, async (event) => {
    const query = parseQuery(EventPageQuerySchema, event.queryStringParameters);
    const { tenant, runId } = await runOf(event, eventStore);
    return jsonResponse(200, await pageEvents({ tenant, runId, afterSeq: query.afterSeq, limit: query.limit, ...(query.types === undefined ? {} : { types: query.types }) }));
  });
}
