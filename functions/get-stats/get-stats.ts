import { httpHandler } from '../http/http-handler.ts';
import { jsonResponse } from '../http/responses.ts';
import { tenantOf } from '../http/tenant.ts';
import type { Root } from '../runtime/compose.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';

/** `GET /v1/stats`: the tenant's runs by status, one read (kept current by every write, never a scan). */
export function makeGetStatsHandler(root: Root) {
  const eventStore = eventStoreOf(root);
  return httpHandler(root, async (event) => jsonResponse(200, { runs: await eventStore.getStats(tenantOf(event)) }));
}
