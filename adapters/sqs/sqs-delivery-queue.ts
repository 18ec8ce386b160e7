import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryQueue, WebhookJob } from '#shared/webhooks/delivery-job.ts';

/** SQS delays a message by at most 15 minutes; a longer wait is a chain of such delays (notBefore). */
export const MAX_SQS_DELAY_SECONDS = 900;

/** A job on the queue, with the earliest time it may be attempted. */
export type QueuedJob = WebhookJob & { readonly notBefore?: number };

/**
 * Webhook jobs on SQS, one message each (10 a call): an event's delivery, or a replay (a few
 * hundred bytes whatever the run's length: it names the run and where the replay stands). A delay past 15 minutes travels as
 * `notBefore`: the worker puts a message that comes early back with the remaining delay.
 *
 * Each message carries its subscription as MessageGroupId: on a standard queue that makes SQS a
 * fair queue (AWS's noisy-neighbour mitigation), so when one subscription's endpoint is slow or
 * dead and its jobs pile up or hold the workers, SQS hands out the other subscriptions' jobs
 * first instead of making them wait behind that backlog. Order and exactly-once are not implied
 * (that is FIFO, which this queue is not).
 */
export class SqsDeliveryQueue implements DeliveryQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #now: () => number;

  constructor(options: { client: SQSClient; queueUrl: string; now?: () => number }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#now = options.now ?? Date.now;
  }

  async enqueue(jobs: readonly QueuedJob[], delayMs: number): Promise<void> {
    const delaySeconds = Math.min(MAX_SQS_DELAY_SECONDS, Math.ceil(delayMs / 1000));
    const notBefore = delayMs > MAX_SQS_DELAY_SECONDS * 1000 ? this.#now() + delayMs : undefined;
    for (let start = 0; start < jobs.length; start += 10) {
      const entries = jobs.slice(start, start + 10).map((job, index) => ({
        Id: String(index),
        MessageBody: JSON.stringify(notBefore === undefined ? job : { ...job, notBefore }),
        DelaySeconds: delaySeconds,
        MessageGroupId: job.subscriptionId,
      }));
      const answer = await this.#client.send(new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries }));
      if ((answer.Failed ?? []).length > 0) throw new Error(`SQS refused ${answer.Failed?.length ?? 0} webhook jobs: ${answer.Failed?.[0]?.Message ?? 'no reason given'}`);
    }
  }
}
