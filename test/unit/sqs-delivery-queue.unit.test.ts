import type { ServiceOutputTypes } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { MAX_SQS_DELAY_SECONDS, SqsDeliveryQueue } from '#adapters/sqs/sqs-delivery-queue.ts';
import type { DeliveryJob } from '#shared/webhooks/delivery-job.ts';
import type { StoredEvent } from '#shared/contract/event.ts';
import { answeringSqs } from '#test/support/sdk-answers.ts';

type Entry = { Id: string; MessageBody: string; DelaySeconds: number; MessageGroupId?: string };

function job(subscriptionId: string, seq: number): DeliveryJob {
  const event: StoredEvent = { runId: 'r1', eventId: `e${seq}`, seq, type: 'run.failed', occurredAt: '2026-11-23T10:00:00Z', receivedAt: '2026-11-23T10:00:01.000Z', payload: { error: { message: 'boom' } } };
  return { tenant: 'acme', subscriptionId, attempt: 1, event: { ...event, tenant: 'acme' } };
}

/** The queue on a real SQSClient answered in process: every SendMessageBatch entry it was asked to send. */
function queueRecordingEntries(now = () => 1_000_000) {
  const sent: Entry[][] = [];
  const client = answeringSqs((_command, input): ServiceOutputTypes => {
    const entries = (input as { Entries: Entry[] }).Entries;
    sent.push(entries);
    return { $metadata: {}, Successful: entries.map(({ Id }) => ({ Id, MessageId: Id, MD5OfMessageBody: '' })), Failed: [] };
  });
  return { queue: new SqsDeliveryQueue({ client, queueUrl: 'https://sqs.us-east-1.amazonaws.com/1/jobs', now }), sent };
}

describe('SqsDeliveryQueue', () => {
  it('groups each job by its subscription (a fair queue: one backlogged subscription does not hold up the others), 10 a call', async () => {
    const { queue, sent } = queueRecordingEntries();
    const jobs = [...Array.from({ length: 11 }, (_, index) => job('sub_slow', index + 1)), job('sub_fast', 1)];
    await queue.enqueue(jobs, 0);
    expect(sent.map((entries) => entries.length)).toEqual([10, 2]);
    expect(sent.flat().map((entry) => entry.MessageGroupId)).toEqual([...Array<string>(11).fill('sub_slow'), 'sub_fast']);
    expect(sent.flat().map((entry) => (JSON.parse(entry.MessageBody) as DeliveryJob).event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1]);
  });

  it('sends a delay past SQS\'s 15 minutes as the longest delay plus notBefore', async () => {
    const { queue, sent } = queueRecordingEntries(() => 1_000_000);
    await queue.enqueue([job('sub_a', 1)], 3_600_000);
    const [entry] = sent.flat();
    expect(entry?.DelaySeconds).toBe(MAX_SQS_DELAY_SECONDS);
    expect((JSON.parse(entry?.MessageBody ?? '{}') as { notBefore?: number }).notBefore).toBe(1_000_000 + 3_600_000);
  });
});
