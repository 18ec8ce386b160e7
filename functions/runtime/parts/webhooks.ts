import { DynamoDbDeliveryLedger } from '#adapters/dynamodb/dynamodb-delivery-ledger.ts';
import { DynamoDbSubscriptionStore } from '#adapters/dynamodb/dynamodb-subscription-store.ts';
import { checkWebhookHost, makeHttpWebhookSender } from '#adapters/http/webhook-sender.ts';
import { SqsDeliveryQueue } from '#adapters/sqs/sqs-delivery-queue.ts';
import { DeliveredBatch } from '#shared/webhooks/delivered-batch.ts';
import { makeDeliverWebhook } from '#shared/webhooks/deliver-webhook.ts';
import type { DeliveryQueue } from '#shared/webhooks/delivery-job.ts';
import { makeDeliveryWorker } from '#shared/webhooks/delivery-worker.ts';
import { makeWebhookFanOut } from '#shared/webhooks/fan-out.ts';
import { makeManageSubscriptions } from '#shared/webhooks/manage-subscriptions.ts';
import { makeReplay } from '#shared/webhooks/replay.ts';
import { AWS_RETRY_SCHEDULE, type RetrySchedule } from '#shared/webhooks/retry-schedule.ts';
import { requireSetting } from '../config.ts';
import { part, requireClient, type Root } from '../compose.ts';
import { tableNameOf } from './settings.ts';
import { eventStoreOf, storeClientOf } from './stores.ts';

export const subscriptionStoreOf = /* @__PURE__ */ part((root) => new DynamoDbSubscriptionStore({ client: storeClientOf(root), tableName: tableNameOf(root, 'the subscription store') }));

export const deliveryLedgerOf = /* @__PURE__ */ part(
  (root) => new DynamoDbDeliveryLedger({ client: storeClientOf(root), tableName: tableNameOf(root, 'the delivery ledger'), retentionDays: root.config.RUNLEDGER_RETENTION_DAYS }),
);

const allowLoopback = (root: Root) => root.config.RUNLEDGER_WEBHOOK_ALLOW_LOOPBACK === 'true';

export const manageSubscriptionsOf = /* @__PURE__ */ part((root) =>
  makeManageSubscriptions({ store: subscriptionStoreOf(root), clock: root.clock, checkHost: (host) => checkWebhookHost(host, { allowLoopback: allowLoopback(root) }) }),
);

/** The local stack's queue when it gave one, else SQS (AWS). */
export const deliveryQueueOf = /* @__PURE__ */ part(
  (root): DeliveryQueue =>
    root.clients.webhookQueue ??
    new SqsDeliveryQueue({ client: requireClient(root, 'sqs', 'the webhook queue'), queueUrl: requireSetting(root.config, 'RUNLEDGER_WEBHOOK_QUEUE_URL', 'the webhook queue') }),
);

export const replayOf = /* @__PURE__ */ part((root) => makeReplay({ subscriptions: subscriptionStoreOf(root), ledger: deliveryLedgerOf(root), events: eventStoreOf(root), queue: deliveryQueueOf(root) }));

export const webhookFanOutOf = /* @__PURE__ */ part((root) =>
  makeWebhookFanOut({ store: subscriptionStoreOf(root), queue: deliveryQueueOf(root), clock: root.clock, cacheMs: root.config.RUNLEDGER_WEBHOOK_CACHE_SECONDS * 1000 }),
);

export function retryScheduleOf({ config }: Root): RetrySchedule {
  return {
    attempts: config.RUNLEDGER_WEBHOOK_RETRY_ATTEMPTS ?? AWS_RETRY_SCHEDULE.attempts,
    baseDelayMs: config.RUNLEDGER_WEBHOOK_RETRY_BASE_MS ?? AWS_RETRY_SCHEDULE.baseDelayMs,
    maxDelayMs: config.RUNLEDGER_WEBHOOK_RETRY_MAX_MS ?? AWS_RETRY_SCHEDULE.maxDelayMs,
  };
}

/** Successes waiting for their one ledger write. */
export const deliveredBatchOf = /* @__PURE__ */ part((root) => new DeliveredBatch(deliveryLedgerOf(root)));

export const deliveryWorkerOf = /* @__PURE__ */ part((root) =>
  makeDeliveryWorker({
    deliver: makeDeliverWebhook({
      subscriptions: subscriptionStoreOf(root),
      ledger: deliveryLedgerOf(root),
      send: makeHttpWebhookSender({ timeoutMs: root.config.RUNLEDGER_WEBHOOK_TIMEOUT_MS, allowLoopback: allowLoopback(root) }),
      clock: root.clock,
      schedule: retryScheduleOf(root),
      disableAfterMs: root.config.RUNLEDGER_WEBHOOK_DISABLE_AFTER_SECONDS * 1000,
    }),
    delivered: deliveredBatchOf(root),
    queue: deliveryQueueOf(root),
    clock: root.clock,
  }),
);
