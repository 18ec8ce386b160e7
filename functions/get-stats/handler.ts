import { httpHandler } from '../http/http-handler.ts';
import { jsonResponse } from '../http/responses.ts';
import { tenantOf } from '../http/tenant.ts';
import { getRoot } from '../runtime/root.ts';

const { eventStore, logger, tracer } = getRoot();

/** `GET /v1/stats`: the tenant's runs by status, one read (kept current by every write, never a scan). */
export const handler = httpHandler({ logger, tracer }, async (event) => jsonResponse(200, { runs: await eventStore.getStats(tenantOf(event)) }));
