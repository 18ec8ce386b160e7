import { Webhook } from 'standardwebhooks';
import type { Clock } from '../ports.ts';
import type { DeliveryJob, WebhookSender } from './delivery-job.ts';
import type { DeliveryLedger, LedgerKey, SubscriptionStore } from './ports.ts';
import type { Subscription } from './subscription.ts';
import { nextRetryDelayMs, parseRetryAfter, type RetrySchedule } from './retry-schedule.ts';
import { webhookBody, webhookIdOf } from './webhook-message.ts';

/** What became of one attempt: the caller records successes in aggregate and queues retries. */
export type DeliveryOutcome =
  | { readonly outcome: 'delivered' }
  | { readonly outcome: 'retry'; readonly delayMs: number }
  | { readonly outcome: 'dead' }
  /** The subscription is gone: nothing sent, nothing recorded. */
  | { readonly outcome: 'skipped' };

/**
 * One delivery attempt of one event to one subscription, as Standard Webhooks describes it:
 * `webhook-id` derived from (subscription, event) so every retry carries the same one,
 * `webhook-timestamp` now, `webhook-signature` `v1,<base64 HMAC-SHA256>` made by the spec's own
 * library. A 2xx is success; anything else, or no answer, is a failure recorded in the ledger
 * with the attempt count and retried on the schedule (Retry-After honoured) until it is dead. A
 * subscription failing with no success for `disableAfterMs` is disabled, with the reason.
 */
export function makeDeliverWebhook(deps: {
  subscriptions: SubscriptionStore;
  ledger: DeliveryLedger;
  send: WebhookSender;
  clock: Clock;
  schedule: RetrySchedule;
  disableAfterMs: number;
  random?: () => number;
  /** How long a subscription read is reused for the next jobs of that subscription (a disable or URL change applies within it). @default 1000 */
  subscriptionCacheMs?: number;
}) {
  const cacheMs = deps.subscriptionCacheMs ?? 1000;
  const cache = new Map<string, { until: number; subscription: Subscription | undefined }>();
  const subscriptionOf = async (tenant: string, id: string): Promise<Subscription | undefined> => {
    const now = deps.clock.now().getTime();
    const key = `${tenant}\n${id}`;
    const cached = cache.get(key);
    if (cached !== undefined && cached.until > now) return cached.subscription;
    const subscription = await deps.subscriptions.get(tenant, id);
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { until: now + cacheMs, subscription });
    return subscription;
  };
  return async (job: DeliveryJob): Promise<DeliveryOutcome> => {
    const subscription = await subscriptionOf(job.tenant, job.subscriptionId);
    if (subscription === undefined) return { outcome: 'skipped' };
    const webhookId = webhookIdOf(subscription.id, job.event);
    if (subscription.status !== 'active') {
      // A retry in flight when the subscription was disabled: kept as dead, so a redrive after enabling it sends it.
      await deps.ledger.recordFailure({ ...ledgerKeyOf(job), seq: job.event.seq, status: 'dead', attempts: job.attempt - 1, lastError: 'the subscription is disabled', webhookId });
      return { outcome: 'dead' };
    }
    const body = webhookBody(job.event);
    const now = deps.clock.now();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'runledger-webhooks',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(subscription.secret).sign(webhookId, now, body),
    };
    let failure: string;
    let retryAfterMs: number | undefined;
    try {
      const answer = await deps.send({ url: subscription.url, headers, body });
      if (answer.status >= 200 && answer.status <= 299) {
        if (subscription.failingSince !== undefined) {
          await deps.subscriptions.markHealthy(job.tenant, subscription.id);
          cache.delete(`${job.tenant}\n${job.subscriptionId}`);
        }
        return { outcome: 'delivered' };
      }
      failure = `the receiver answered ${answer.status}`;
      retryAfterMs = parseRetryAfter(answer.retryAfter, now);
    } catch (error: unknown) {
      failure = error instanceof Error ? error.message : String(error);
    }
    const delayMs = nextRetryDelayMs(deps.schedule, job.attempt, { random: deps.random, retryAfterMs });
    await deps.ledger.recordFailure({
      ...ledgerKeyOf(job),
      seq: job.event.seq,
      status: delayMs === undefined ? 'dead' : 'failed',
      attempts: job.attempt,
      lastAttemptAt: now.toISOString(),
      lastError: failure.slice(0, 500),
      webhookId,
    });
    // The next job reads the subscription again: the failure streak and a disable show at once.
    cache.delete(`${job.tenant}\n${job.subscriptionId}`);
    const since = await deps.subscriptions.markFailing(job.tenant, subscription.id, now);
    if (since !== undefined && now.getTime() - since.getTime() >= deps.disableAfterMs) {
      await deps.subscriptions.update(job.tenant, subscription.id, { status: 'disabled', disabledReason: `disabled automatically: every delivery failed since ${since.toISOString()} (last: ${failure.slice(0, 200)})` }, now);
    }
    return delayMs === undefined ? { outcome: 'dead' } : { outcome: 'retry', delayMs };
  };
}

/** The ledger's key of a job: the subscription is the subscriber. */
export function ledgerKeyOf(job: DeliveryJob): LedgerKey {
  return { tenant: job.tenant, runId: job.event.runId, subscriber: job.subscriptionId, kind: 'webhook' };
}
