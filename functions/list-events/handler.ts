import { makePageEvents } from '#shared/query/page-events.ts';
import { EventPageQuerySchema, parseQuery } from '#shared/query/query-params.ts';
import { httpHandler } from '../http/http-handler.ts';
import { jsonResponse } from '../http/responses.ts';
import { runOf } from '../http/run-route.ts';
import { getRoot } from '../runtime/root.ts';

const { eventStore, logger, tracer } = getRoot();
const pageEvents = makePageEvents({ store: eventStore });

/** `GET /v1/runs/{runId}/events?afterSeq=&limit=&types=`: `{events, nextAfterSeq}` in seq order. */
export const handler = httpHandler({ logger, tracer }, async (event) => {
  const query = parseQuery(EventPageQuerySchema, event.queryStringParameters);
  const { tenant, runId } = await runOf(event, eventStore);
  return jsonResponse(200, await pageEvents({ tenant, runId, afterSeq: query.afterSeq, limit: query.limit, ...(query.types === undefined ? {} : { types: query.types }) }));
});
