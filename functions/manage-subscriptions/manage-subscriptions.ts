import { InvalidRequestError } from '#shared/errors.ts';
import { httpHandler } from '../http/http-handler.ts';
import { parseJsonBody } from '../http/json-body.ts';
import { pathParameter } from '../http/path.ts';
import { jsonResponse } from '../http/responses.ts';
import { tenantOf } from '../http/tenant.ts';
import type { Root } from '../runtime/compose.ts';
import { manageSubscriptionsOf } from '../runtime/parts/webhooks.ts';

/**
 * `POST/GET /v1/subscriptions` and `GET/PATCH/DELETE /v1/subscriptions/{subscriptionId}`: the
 * tenant's webhook subscriptions. Changing them needs a `write` key; reading them a `read` key.
 * Another tenant's subscription is a 404.
 */
export function makeManageSubscriptionsHandler(root: Root) {
  const subscriptions = manageSubscriptionsOf(root);
  return httpHandler(root, async (event) => {
    const method = event.httpMethod.toUpperCase();
    const tenant = tenantOf(event, method === 'GET' ? 'read' : 'write');
    const id = pathParameter(event, 'subscriptionId');
    if (id === undefined) {
      if (method === 'POST') return jsonResponse(201, await subscriptions.create(tenant, parseJsonBody(event)));
      return jsonResponse(200, { subscriptions: await subscriptions.list(tenant) });
    }
    if (method === 'GET') return jsonResponse(200, { subscription: await subscriptions.get(tenant, id) });
    if (method === 'PATCH') return jsonResponse(200, { subscription: await subscriptions.update(tenant, id, parseJsonBody(event)) });
    if (method === 'DELETE') {
      await subscriptions.delete(tenant, id);
      return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
    }
    throw new InvalidRequestError('invalid_request', `${method} is not a method of this route`);
  });
}
