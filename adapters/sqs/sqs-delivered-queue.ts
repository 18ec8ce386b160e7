import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { encodeDeliveredMessage } from '#shared/webhooks/delivered-message.ts';
import type { DeliveredEntry, DeliveredQueue } from '#shared/webhooks/ports.ts';

/**
 * The ledger queue in AWS: one SendMessage per observer invocation, its successes as one message,
 * drained by the ledger writer (functions/write-ledger) in batches of up to a thousand.
 */
export class SqsDeliveredQueue implements DeliveredQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async send(entries: readonly DeliveredEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#client.send(new SendMessageCommand({ QueueUrl: this.#queueUrl, MessageBody: encodeDeliveredMessage(entries) }));
  }
}
