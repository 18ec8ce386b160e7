import { randomBytes } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDeliverWebhooksHandler } from '#functions/deliver-webhooks/deliver-webhooks.ts';
import type { Root } from '#functions/runtime/compose.ts';
import { eventStoreOf } from '#functions/runtime/parts/stores.ts';
import { deliveryLedgerOf, replayOf, subscriptionStoreOf } from '#functions/runtime/parts/webhooks.ts';
import { toSubscriberDeliveries } from '#shared/webhooks/ledger-view.ts';
import type { DeliveryQueue, WebhookJob } from '#shared/webhooks/delivery-job.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';
import { candidates, progressEvent, uniqueId } from '#test/support/events.ts';
import { makeTestRoot } from '#test/support/root.ts';
import { eventually, startReceiver } from '#test/support/webhook-receiver.ts';

/** What the worker puts back on the queue: kept, so the test hands it to the handler as SQS would. */
class KeptQueue implements DeliveryQueue {
  readonly sent: Array<{ job: WebhookJob; delayMs: number }> = [];
  enqueue(jobs: readonly WebhookJob[], delayMs: number): Promise<void> {
    for (const job of jobs) this.sent.push({ job, delayMs });
    return Promise.resolve();
  }
}

const asSqsEvent = (jobs: readonly WebhookJob[]): SQSEvent => ({
  Records: jobs.map((job, index): SQSRecord => ({
    messageId: `m${index}`,
    receiptHandle: `r${index}`,
    body: JSON.stringify(job),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'test', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs',
    awsRegion: 'us-east-1',
  })),
});

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let root: Root;
const queue = new KeptQueue();
const tenant = 'acme';
beforeAll(async () => {
  receiver = await startReceiver();
  // The Lambda's own composition on DynamoDB Local, the job queue replaced by one the test reads; slices of 3 events.
  root = makeTestRoot(await makeTestTable(), { RUNLEDGER_WEBHOOK_ALLOW_LOOPBACK: 'true', RUNLEDGER_WEBHOOK_REPLAY_SLICE_EVENTS: '3' }, { webhookQueue: queue });
});
afterAll(async () => {
  await receiver.close();
});

describe('the delivery worker in Lambda, given a replay job from SQS', () => {
  it('sends one slice of the run in seq order, queues the continuation, and finishes the replay from it', async () => {
    const runId = uniqueId('run');
    const events = [1, 2, 3, 4, 5].map((seq) => progressEvent(runId, { eventId: `e${seq}`, seq }));
    await eventStoreOf(root).appendToRun(tenant, runId, candidates(events));
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const subscriptionId = `sub_${randomBytes(6).toString('hex')}`;
    await subscriptionStoreOf(root).create({ id: subscriptionId, tenant, url: receiver.url, filter: { preset: 'all' }, status: 'active', createdAt: '2026-11-23T10:00:00Z', updatedAt: '2026-11-23T10:00:00Z', secret });
    const answer = await replayOf(root).replay(tenant, subscriptionId, { runId });
    expect(answer).toEqual(expect.objectContaining({ count: 5, fromSeq: 1, toSeq: 5 }));
    // The request wrote one ledger item and queued one job, whatever the run's length.
    const [replayJob] = queue.sent.splice(0);
    expect(replayJob).toEqual({ job: expect.objectContaining({ kind: 'replay', runId, afterSeq: 0, throughSeq: 5, attempt: 1, step: 0 }), delayMs: 0 });

    const handler = makeDeliverWebhooksHandler(root);
    expect(await handler(asSqsEvent([replayJob?.job ?? fail()]))).toEqual({ batchItemFailures: [] });
    const verifier = new Webhook(secret);
    const seqs = () => receiver.received.map((delivery) => (verifier.verify(delivery.body, delivery.headers) as { data: { seq: number } }).data.seq);
    expect(seqs()).toEqual([1, 2, 3]);
    const [continuation] = queue.sent.splice(0);
    expect(continuation).toEqual({ job: expect.objectContaining({ kind: 'replay', afterSeq: 3, attempt: 1, step: 1 }), delayMs: 0 });

    expect(await handler(asSqsEvent([continuation?.job ?? fail()]))).toEqual({ batchItemFailures: [] });
    expect(seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(queue.sent).toEqual([]);
    // A second copy of the first message (SQS delivers at least once) sends nothing again.
    expect(await handler(asSqsEvent([replayJob?.job ?? fail()]))).toEqual({ batchItemFailures: [] });
    expect(seqs()).toHaveLength(5);

    const [deliveries] = toSubscriberDeliveries(await eventually(() => deliveryLedgerOf(root).readRun(tenant, runId, { limit: 100 }), (page) => page.delivered.length > 0));
    expect(deliveries).toEqual(
      expect.objectContaining({ subscriber: subscriptionId, delivered: [{ fromSeq: 1, toSeq: 5 }], undelivered: [], replays: [expect.objectContaining({ replayId: answer.replayId, nextSeq: 6, status: 'done' })] }),
    );
  });
});

describe('what a replay costs the ledger', () => {
  it('writes a small fraction of a write request per replayed event: one item when asked for, one per slice, delivered blocks of 128 (measured)', async () => {
    const table = await makeTestTable();
    const writes: string[] = [];
    let counting = false;
    table.client.middlewareStack.add(
      (next, context) => (args) => {
        if (counting && /Put|Update|Delete|BatchWrite|TransactWrite/.test(context.commandName ?? '')) writes.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'countWrites' },
    );
    const kept = new KeptQueue();
    const costRoot = makeTestRoot(table, { RUNLEDGER_WEBHOOK_ALLOW_LOOPBACK: 'true', RUNLEDGER_WEBHOOK_REPLAY_SLICE_EVENTS: '100' }, { webhookQueue: kept });
    const runId = uniqueId('run');
    for (let start = 1; start <= 300; start += 100) {
      await eventStoreOf(costRoot).appendToRun(tenant, runId, candidates(Array.from({ length: 100 }, (_, index) => progressEvent(runId, { eventId: `e${start + index}`, seq: start + index }))));
    }
    const subscriptionId = `sub_${randomBytes(6).toString('hex')}`;
    await subscriptionStoreOf(costRoot).create({ id: subscriptionId, tenant, url: receiver.url, filter: { preset: 'all' }, status: 'active', createdAt: '2026-11-23T10:00:00Z', updatedAt: '2026-11-23T10:00:00Z', secret: `whsec_${randomBytes(32).toString('base64')}` });
    const before = receiver.received.length;

    counting = true;
    await replayOf(costRoot).replay(tenant, subscriptionId, { runId });
    const handler = makeDeliverWebhooksHandler(costRoot);
    let slices = 0;
    for (let next = kept.sent.shift(); next !== undefined; next = kept.sent.shift()) {
      expect(await handler(asSqsEvent([next.job]))).toEqual({ batchItemFailures: [] });
      slices += 1;
    }
    counting = false;

    expect(receiver.received.length - before).toBe(300);
    const perEvent = writes.length / 300;
    console.info(`replay of 300 events in ${slices} slices of 100: ${writes.length} ledger write requests (${writes.join(', ')}), ${perEvent.toFixed(3)} per replayed event`);
    expect(slices).toBe(3);
    // The budget is 0.1 write units per delivered event; each of these writes is one item under 1 KB (one unit).
    expect(perEvent).toBeLessThan(0.1);
  });
});

function fail(): never {
  throw new Error('no job was queued');
}
