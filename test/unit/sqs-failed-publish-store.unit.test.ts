import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type Message, type ServiceOutputTypes } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsFailedPublishStore } from '#adapters/sqs/sqs-failed-publish-store.ts';
import { describeFailedPublishStoreContract } from '#test/contract/failed-publish-store.contract.ts';
import { answeringSqs } from '#test/support/sdk-answers.ts';

/**
 * A real SQSClient whose requests are answered in process (a middleware before serialization),
 * by a queue with SQS's visibility rule: a received message is hidden until deleted.
 */
function inProcessQueue(options: { failSends?: boolean } = {}) {
  const messages: Array<{ body: string; receipt?: string }> = [];
  const client = answeringSqs((command, input) => answer(command, input));
  const commands = client.asked;
  let receipts = 0;

  function answer(command: string | undefined, input: unknown): ServiceOutputTypes {
    const $metadata = {};
    if (command === SendMessageBatchCommand.name) {
      const entries = (input as { Entries: Array<{ Id: string; MessageBody: string }> }).Entries;
      if (options.failSends === true) return { $metadata, Successful: [], Failed: entries.map((entry) => ({ Id: entry.Id, Code: 'KMS.Disabled', SenderFault: false })) };
      for (const entry of entries) messages.push({ body: entry.MessageBody });
      return { $metadata, Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    }
    if (command === ReceiveMessageCommand.name) {
      const max = (input as { MaxNumberOfMessages: number }).MaxNumberOfMessages;
      const visible = messages.filter((message) => message.receipt === undefined).slice(0, max);
      const out: Message[] = visible.map((message) => {
        message.receipt = `rh-${++receipts}`;
        return { ReceiptHandle: message.receipt, Body: message.body };
      });
      return { $metadata, Messages: out };
    }
    if (command === DeleteMessageCommand.name) {
      const receipt = (input as { ReceiptHandle: string }).ReceiptHandle;
      messages.splice(messages.findIndex((message) => message.receipt === receipt), 1);
      return { $metadata };
    }
    if (command === ChangeMessageVisibilityCommand.name) {
      const { ReceiptHandle: receipt, VisibilityTimeout: timeout } = input as { ReceiptHandle: string; VisibilityTimeout: number };
      const message = messages.find((candidate) => candidate.receipt === receipt);
      // Visible again at once only with a timeout of 0, as the store asks.
      if (message !== undefined && timeout === 0) delete message.receipt;
      return { $metadata };
    }
    if (command === GetQueueAttributesCommand.name) return { $metadata, Attributes: { ApproximateNumberOfMessages: String(messages.length) } };
    throw new Error(`unexpected ${command}`);
  }
  return { client, commands };
}

describeFailedPublishStoreContract('SQS', () => Promise.resolve(new SqsFailedPublishStore({ client: inProcessQueue().client, queueUrl: 'https://sqs/q' })));

describe('SqsFailedPublishStore', () => {
  it('sends at most 10 messages a call', async () => {
    const queue = inProcessQueue();
    const failures = Array.from({ length: 23 }, (_, i) => ({ tenant: 't', runId: `r${i}`, seqs: [1], types: ['run.failed'], reason: 'x', failedAt: '2026-11-23T10:00:00Z' }));
    await new SqsFailedPublishStore({ client: queue.client, queueUrl: 'https://sqs/q' }).record(failures);
    expect(queue.commands.map((asked) => asked.command)).toEqual(['SendMessageBatchCommand', 'SendMessageBatchCommand', 'SendMessageBatchCommand']);
  });

  it('rejects when SQS did not keep some message, so the relay hands the records back to the stream', async () => {
    const store = new SqsFailedPublishStore({ client: inProcessQueue({ failSends: true }).client, queueUrl: 'https://sqs/q' });
    await expect(store.record([{ tenant: 't', runId: 'r', seqs: [1], types: [], reason: 'x', failedAt: 'now' }])).rejects.toThrow(/did not keep 1 relay failures: KMS.Disabled/);
  });
});
