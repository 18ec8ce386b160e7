import * as z from 'zod/mini';
import { DELIVERY_STATUSES, toSubscriberDeliveries } from '#shared/webhooks/ledger-view.ts';
import { parseQuery } from '#shared/query/query-params.ts';
import { httpHandler } from '../http/http-handler.ts';
import { jsonResponse } from '../http/responses.ts';
import { runOf } from '../http/run-route.ts';
import type { Root } from '../runtime/compose.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';
import { deliveryLedgerOf } from '../runtime/parts/webhooks.ts';

/** Ledger items per page: a subscriber's delivered blocks hold 128 seqs each, so a page covers thousands of events. */
const PAGE_ITEMS = 200;

/** `GET /v1/runs/{runId}/deliveries?subscriber=&status=&cursor=` */
export const DeliveriesQuerySchema = z.object({
  subscriber: z.optional(z.string().check(z.minLength(1), z.maxLength(256), z.describe('Only this subscriber: a subscription id or an observer name.'))),
  status: z.optional(z.enum(DELIVERY_STATUSES).check(z.describe('Only what is in this state.'))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048), z.describe('nextCursor of the previous page.'))),
});

/**
 * What each subscriber (webhook subscription or observer function) got of a run: delivered seq
 * ranges, and each event pending, failed or dead with its attempts, last attempt and last error.
 * A long ledger comes in pages; one subscriber may then appear on two pages (merge by name).
 */
export function makeListDeliveriesHandler(root: Root) {
  const eventStore = eventStoreOf(root);
  const ledger = deliveryLedgerOf(root);
  return httpHandler(root, async (event) => {
    const { tenant, runId } = await runOf(event, eventStore);
    const query = parseQuery(DeliveriesQuerySchema, event.queryStringParameters);
    const page = await ledger.readRun(tenant, runId, { cursor: query.cursor, limit: PAGE_ITEMS });
    return jsonResponse(200, { deliveries: toSubscriberDeliveries(page, query), nextCursor: page.next ?? null });
  });
}
