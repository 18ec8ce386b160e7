import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FailedPublish, FailedPublishStore, KeptFailedPublish } from '#shared/ports.ts';
import { parseFailedPublish } from '#shared/relay/failed-publish.ts';

/** SendMessageBatch takes at most 10 messages. */
const MESSAGES_PER_CALL = 10;

export type SqsFailedPublishStoreOptions = {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** How long a received failure stays hidden from other readers while a redrive works on it. @default 300 */
  readonly visibilityTimeoutSeconds?: number;
};

/** Relay failures in AWS: one SQS message per failure in the relay-failures queue (alarmed when not empty). */
export class SqsFailedPublishStore implements FailedPublishStore {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #visibilityTimeout: number;

  constructor(options: SqsFailedPublishStoreOptions) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#visibilityTimeout = options.visibilityTimeoutSeconds ?? 300;
  }

  async record(failures: readonly FailedPublish[]): Promise<void> {
    for (let start = 0; start < failures.length; start += MESSAGES_PER_CALL) {
      const chunk = failures.slice(start, start + MESSAGES_PER_CALL);
      const result = await this.#client.send(
        new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: chunk.map((failure, index) => ({ Id: String(index), MessageBody: JSON.stringify(failure) })) }),
      );
      const failed = result.Failed ?? [];
      if (failed.length > 0) throw new Error(`SQS did not keep ${failed.length} relay failures: ${failed.map((entry) => entry.Code ?? 'unknown').join(', ')}`);
    }
  }

  async receive(max: number): Promise<KeptFailedPublish[]> {
    const result = await this.#client.send(
      new ReceiveMessageCommand({ QueueUrl: this.#queueUrl, MaxNumberOfMessages: Math.min(max, 10), VisibilityTimeout: this.#visibilityTimeout, WaitTimeSeconds: 1 }),
    );
    return (result.Messages ?? []).flatMap((message) => {
      if (message.ReceiptHandle === undefined || message.Body === undefined) return [];
      return [{ handle: message.ReceiptHandle, failure: parseFailedPublish(JSON.parse(message.Body)) }];
    });
  }

  async remove(handle: string): Promise<void> {
    await this.#client.send(new DeleteMessageCommand({ QueueUrl: this.#queueUrl, ReceiptHandle: handle }));
  }

  /** Visible again now: the next receive (the next scheduled pass) may take it. */
  async release(handle: string): Promise<void> {
    await this.#client.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.#queueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }));
  }

  async count(): Promise<number> {
    const result = await this.#client.send(new GetQueueAttributesCommand({ QueueUrl: this.#queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    return Number(result.Attributes?.ApproximateNumberOfMessages ?? 0);
  }
}
