import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDeliveryLedger } from '#adapters/dynamodb/dynamodb-delivery-ledger.ts';
import { recordDeliveries } from '#functions/observer-runtime/record-deliveries.ts';
import { consumeBusQueue } from '#functions/observer-runtime/sqs-batch.ts';
import { toSubscriberDeliveries } from '#shared/webhooks/ledger-view.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';
import { uniqueId } from '#test/support/events.ts';

let ledger: DynamoDbDeliveryLedger;
beforeAll(async () => {
  const table = await makeTestTable();
  ledger = new DynamoDbDeliveryLedger({ client: table.documentClient, tableName: table.tableName, retentionDays: 1 });
});

const busEvent = (runId: string, seq: number) => ({
  version: '0',
  id: `bus-${runId}-${seq}`,
  source: 'runledger',
  'detail-type': 'run.progress',
  account: '000000000000',
  time: '2026-11-23T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { tenant: 'acme', runId, eventId: `e${seq}`, seq, type: 'run.progress', occurredAt: '2026-11-23T10:00:00Z', receivedAt: '2026-11-23T10:00:00.000Z', payload: { progress: 0.1 } },
});
const context = {} as Context;
const sqsBatch = (events: unknown[]): SQSEvent => ({
  Records: events.map((event, index) => ({
    messageId: `m${index}`,
    receiptHandle: `r${index}`,
    body: JSON.stringify(event),
    attributes: { ApproximateReceiveCount: '2', SentTimestamp: '0', SenderId: 'events', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:delivery',
    awsRegion: 'us-east-1',
  })),
});

describe('runledger/observer recordDeliveries', () => {
  it('records an observer\'s delivered events, and a throw as a failure with its error, then throws it on', async () => {
    const runId = uniqueId('run');
    const observe = middy((event: { detail: { seq: number } }) => (event.detail.seq === 2 ? Promise.reject(new Error('billing is down')) : Promise.resolve())).use(recordDeliveries({ name: 'billing', ledger }));

    await observe(busEvent(runId, 1), context);
    await expect(observe(busEvent(runId, 2), context)).rejects.toThrow('billing is down');
    await observe(busEvent(runId, 3), context);

    expect(toSubscriberDeliveries(await ledger.readRun('acme', runId, { limit: 100 }))).toEqual([
      {
        subscriber: 'billing',
        kind: 'observer',
        delivered: [{ fromSeq: 1, toSeq: 1 }, { fromSeq: 3, toSeq: 3 }],
        deliveredCount: 2,
        undelivered: [expect.objectContaining({ seq: 2, status: 'failed', attempts: 1, lastError: 'billing is down' })],
      },
    ]);
  });

  it('records an SQS batch\'s successes together and its failed items one by one, with the receive count', async () => {
    const runId = uniqueId('run');
    const failing = (event: unknown) => typeof event === 'object' && event !== null && 'id' in event && event.id === `bus-${runId}-4`;
    const observe = middy(consumeBusQueue((event) => (failing(event) ? Promise.reject(new Error('no')) : Promise.resolve()))).use(recordDeliveries({ name: 'queue-fed', ledger }));
    const answer = await observe(sqsBatch([1, 2, 3, 4, 5].map((seq) => busEvent(runId, seq))), context);
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }] });
    expect(toSubscriberDeliveries(await ledger.readRun('acme', runId, { limit: 100 }))).toEqual([
      expect.objectContaining({ subscriber: 'queue-fed', delivered: [{ fromSeq: 1, toSeq: 3 }, { fromSeq: 5, toSeq: 5 }], undelivered: [expect.objectContaining({ seq: 4, status: 'failed', attempts: 2 })] }),
    ]);
  });
});
