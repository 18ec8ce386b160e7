import { httpHandler } from '../http/http-handler.ts';
import { parseJsonBody } from '../http/json-body.ts';
import { pathParameter } from '../http/path.ts';
import { jsonResponse } from '../http/responses.ts';
import { tenantOf } from '../http/tenant.ts';
import type { Root } from '../runtime/compose.ts';
import { replayOf } from '../runtime/parts/webhooks.ts';

/**
 * `POST /v1/subscriptions/{subscriptionId}/replay` `{runId, afterSeq?}` and `.../redrive`
 * `{runId?}`: 202 with what was queued (a replay as one ordered job and one ledger item, a
 * redrive's events each marked pending). Redrive may be sent without a body: every dead delivery
 * of the subscription.
 */
export function makeReplaySubscriptionHandler(root: Root) {
  const replay = replayOf(root);
  return httpHandler(root, async (event) => {
    const tenant = tenantOf(event, 'write');
    const id = pathParameter(event, 'subscriptionId') ?? '';
    if (event.path.endsWith('/redrive')) {
      const body = event.body === null || event.body === '' ? {} : parseJsonBody(event);
      return jsonResponse(202, await replay.redrive(tenant, id, body));
    }
    return jsonResponse(202, await replay.replay(tenant, id, parseJsonBody(event)));
  });
}
