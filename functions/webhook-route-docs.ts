import { DeliveriesQuerySchema } from './list-deliveries/list-deliveries.ts';
import type { ResponseDoc, RouteDoc, RouteKey } from './route-docs.ts';

const error = (description: string): ResponseDoc => ({ description, schema: 'Error' });
const NOT_FOUND = error('No such subscription for this API key\'s tenant (another tenant\'s is a 404 too).');
const BAD_BODY = error('The body is not valid: `error.details` names each field (a filter EventBridge would refuse, a URL that is not http(s) or reaches a private address).');
const FILTER_EXAMPLE = { url: 'https://hooks.example.com/runledger', filter: { types: ['run.completed', 'run.failed'] }, description: 'billing' };

type WebhookRouteKey = Extract<RouteKey, `${string} /v1/subscriptions${string}` | `${string}/deliveries`>;

/** The webhook routes' documentation (merged into ROUTE_DOCS). */
export const WEBHOOK_ROUTE_DOCS: Record<WebhookRouteKey, RouteDoc> = {
  'POST /v1/subscriptions': {
    operationId: 'createSubscription',
    summary: 'Subscribe a webhook URL',
    description: 'Deliveries are signed as Standard Webhooks describes (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The secret is in this answer only.',
    tag: 'webhooks',
    body: { schema: 'NewSubscription', description: 'Where to send which events.', examples: { outcomes: { summary: 'Run outcomes to one URL', value: FILTER_EXAMPLE } } },
    responses: { 201: { description: 'Created, with its secret (shown once).', schema: 'CreatedSubscription' }, 400: BAD_BODY, 415: error('The body is not declared `application/json`.') },
  },
  'GET /v1/subscriptions': {
    operationId: 'listSubscriptions',
    summary: 'The tenant\'s webhook subscriptions (no secrets)',
    tag: 'webhooks',
    responses: { 200: { description: 'Every subscription, oldest first.', schema: 'SubscriptionList' } },
  },
  'GET /v1/subscriptions/{subscriptionId}': {
    operationId: 'getSubscription',
    summary: 'One subscription (no secret)',
    tag: 'webhooks',
    responses: { 200: { description: 'The subscription.', schema: 'SubscriptionAnswer' }, 404: NOT_FOUND },
  },
  'PATCH /v1/subscriptions/{subscriptionId}': {
    operationId: 'updateSubscription',
    summary: 'Change its URL, filter, description or status',
    description: '`status: "disabled"` stops deliveries; `"active"` starts them again and clears the reason and the failure streak.',
    tag: 'webhooks',
    body: { schema: 'SubscriptionChanges', description: 'Any of the fields.', examples: { disable: { summary: 'Pause it', value: { status: 'disabled' } } } },
    responses: { 200: { description: 'The subscription as changed.', schema: 'SubscriptionAnswer' }, 400: BAD_BODY, 404: NOT_FOUND },
  },
  'DELETE /v1/subscriptions/{subscriptionId}': {
    operationId: 'deleteSubscription',
    summary: 'Unsubscribe',
    tag: 'webhooks',
    responses: { 204: { description: 'Deleted: nothing more is sent to it.' }, 404: NOT_FOUND },
  },
  'POST /v1/subscriptions/{subscriptionId}/replay': {
    operationId: 'replaySubscription',
    summary: 'Send a run\'s stored history to the subscription',
    description:
      'In seq order, after `afterSeq` (default 0) up to the run\'s last seq now, through the subscription\'s filter: one event at a time, the next only once the one before is delivered or dead (a failing event is retried on the schedule first). Each event keeps its `webhook-id`, so a receiver that saw it drops it. The replay shows in the run\'s deliveries under `replays`.',
    tag: 'webhooks',
    body: { schema: 'ReplayRequest', description: 'The run, and where to start.', examples: { all: { summary: 'A whole run', value: { runId: 'run-42' } } } },
    responses: { 202: { description: 'Queued as one ordered replay.', schema: 'QueuedReplay' }, 400: BAD_BODY, 404: error('No such subscription or run.') },
  },
  'POST /v1/subscriptions/{subscriptionId}/redrive': {
    operationId: 'redriveSubscription',
    summary: 'Send its dead deliveries again',
    description: 'All of them, or one run\'s (`{"runId"}`); the body may be left out. Each starts a new retry schedule.',
    tag: 'webhooks',
    body: { schema: 'RedriveRequest', description: 'Optionally one run.', examples: { one: { summary: 'One run\'s dead deliveries', value: { runId: 'run-42' } } } },
    responses: { 202: { description: 'Queued (pending in the ledger).', schema: 'QueuedDeliveries' }, 400: BAD_BODY, 404: NOT_FOUND },
  },
  'GET /v1/runs/{runId}/deliveries': {
    operationId: 'listRunDeliveries',
    summary: 'What each subscriber got of a run',
    description:
      'Per webhook subscription and observer function: the delivered seq ranges, and each event pending, failed (being retried) or dead, with attempts, last attempt and last error. ' +
      'Continue with `cursor=nextCursor`; a subscriber may then appear on two pages.',
    tag: 'webhooks',
    query: DeliveriesQuerySchema,
    responses: { 200: { description: 'The ledger.', schema: 'DeliveryLedger' }, 400: error('A query parameter is malformed.'), 404: error('No such run for this API key\'s tenant.') },
  },
};
