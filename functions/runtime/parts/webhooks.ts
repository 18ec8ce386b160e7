import { DynamoDbDeliveryLedger } from '#adapters/dynamodb/dynamodb-delivery-ledger.ts';
import { DynamoDbSubscriptionStore } from '#adapters/dynamodb/dynamodb-subscription-store.ts';
import { checkWebhookHost, makeHttpWebhookSender } from '#adapters/http/webhook-sender.ts';
import { SqsDeliveryQueue } from '#adapters/sqs/sqs-delivery-queue.ts';
import { DeliveredBatch } from '#shared/webhooks/delivered-batch.ts';
import { makeDeliverWebhook, type DeliveryOutcome } from '#shared/webhooks/deliver-webhook.ts';
import { isReplayJob, type DeliveryQueue, type WebhookJob } from '#shared/webhooks/delivery-job.ts';
import { makeDeliveryWorker } from '#shared/webhooks/delivery-worker.ts';
import { makeOrderedReplay, type ReplaySliceResult } from '#shared/webhooks/ordered-replay.ts';
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

export const replayOf = /* @__PURE__ */ part((root) =>
  makeReplay({ subscriptions: subscriptionStoreOf(root), ledger: deliveryLedgerOf(root), replays: deliveryLedgerOf(root), events: eventStoreOf(root), queue: deliveryQueueOf(root), clock: root.clock }),
);

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

/** One attempt of one event: signing, the ledger's failure records, the retry schedule. Live jobs and replays share it. */
const deliverWebhookOf = /* @__PURE__ */ part((root) =>
  makeDeliverWebhook({
    subscriptions: subscriptionStoreOf(root),
    ledger: deliveryLedgerOf(root),
    send: makeHttpWebhookSender({ timeoutMs: root.config.RUNLEDGER_WEBHOOK_TIMEOUT_MS, allowLoopback: allowLoopback(root) }),
    clock: root.clock,
    schedule: retryScheduleOf(root),
    disableAfterMs: root.config.RUNLEDGER_WEBHOOK_DISABLE_AFTER_SECONDS * 1000,
  }),
);

export const deliveryWorkerOf = /* @__PURE__ */ part((root) =>
  makeDeliveryWorker({ deliver: deliverWebhookOf(root), delivered: deliveredBatchOf(root), queue: deliveryQueueOf(root), clock: root.clock }),
);

/** One slice of an ordered replay: it reads the run's events (the worker's only read of run items). */
export const orderedReplayOf = /* @__PURE__ */ part((root) =>
  makeOrderedReplay({
    events: eventStoreOf(root),
    subscriptions: subscriptionStoreOf(root),
    deliver: deliverWebhookOf(root),
    delivered: deliveredBatchOf(root),
    replays: deliveryLedgerOf(root),
    queue: deliveryQueueOf(root),
    clock: root.clock,
    slice: { maxEvents: root.config.RUNLEDGER_WEBHOOK_REPLAY_SLICE_EVENTS, maxMs: root.config.RUNLEDGER_WEBHOOK_REPLAY_SLICE_MS },
  }),
);

/** What the queue's consumer runs for any job: an event's delivery, or a replay's slice. */
export const webhookJobWorkerOf = /* @__PURE__ */ part((root) => {
  const deliver = deliveryWorkerOf(root);
  const replay = orderedReplayOf(root);
  return async (job: WebhookJob): Promise<DeliveryOutcome | ReplaySliceResult> => {
    if (!isReplayJob(job)) return deliver(job);
    const result = await replay(job);
    if (result.ledgerError !== undefined) root.logger.error('webhook replay record not moved on (its next slice is queued)', { error: result.ledgerError, replayId: job.replayId });
    return result;
  };
});
