import { makeIngestEvents } from '#shared/ingest/make-ingest-events.ts';
import type { IngestOutcome } from '#shared/ingest/ingest-result.ts';
import { httpHandler } from '../http/http-handler.ts';
import { parseJsonBody } from '../http/json-body.ts';
import { jsonResponse } from '../http/responses.ts';
import { pathParameter } from '../http/path.ts';
import { tenantOf } from '../http/tenant.ts';
import type { Root } from '../runtime/compose.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';

const STATUS_BY_OUTCOME: Record<IngestOutcome, number> = {
  all_stored: 202,
  partly_stored: 207,
  rejected: 400,
  conflict: 409,
};

/** `POST /v1/runs/{runId}/events` and `POST /v1/events`. */
export function makeIngestEventsHandler(root: Root) {
  const ingestEvents = makeIngestEvents({ store: eventStoreOf(root) });
  return httpHandler(root, async (event) => {
    const tenant = tenantOf(event, 'write', root.clock.now());
    const pathRunId = pathParameter(event, 'runId');
    const { outcome, results } = await ingestEvents({ tenant, body: parseJsonBody(event), ...(pathRunId === undefined ? {} : { pathRunId }) });
    return jsonResponse(STATUS_BY_OUTCOME[outcome], { results });
  });
}
