import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsDeliveredQueue } from '#adapters/sqs/sqs-delivered-queue.ts';
import { recordDeliveries } from '#functions/observer-runtime/record-deliveries.ts';
import { consumeBusQueue } from '#functions/observer-runtime/sqs-batch.ts';
import { parseDeliveredMessage } from '#shared/webhooks/delivered-message.ts';
import type { DeliveredEntry, DeliveredQueue, DeliveryFailure, DeliveryLedger } from '#shared/webhooks/ports.ts';
import { answeringSqs } from '#test/support/sdk-answers.ts';

/** A ledger that keeps what it was asked to write. */
function keepingLedger(options: { failDelivered?: boolean } = {}) {
  const delivered: DeliveredEntry[][] = [];
  const failures: DeliveryFailure[] = [];
  const ledger: DeliveryLedger = {
    recordDelivered: (entries) => {
      if (options.failDelivered === true) return Promise.reject(new Error('DynamoDB is down'));
      delivered.push([...entries]);
      return Promise.resolve();
    },
    recordFailure: (failure) => {
      failures.push(failure);
      return Promise.resolve();
    },
    readRun: () => Promise.reject(new Error('not read in these tests')),
    listDead: () => Promise.reject(new Error('not read in these tests')),
  };
  return { ledger, delivered, failures };
}

/** A ledger queue that keeps the entries of each send, or refuses every send. */
function keepingQueue(options: { refuse?: boolean } = {}) {
  const sent: DeliveredEntry[][] = [];
  const queue: DeliveredQueue = {
    send: (entries) => {
      if (options.refuse === true) return Promise.reject(new Error('AccessDenied: sqs:SendMessage'));
      sent.push([...entries]);
      return Promise.resolve();
    },
  };
  return { queue, sent };
}

const busEvent = (runId: string, seq: number) => ({
  version: '0',
  id: `bus-${runId}-${seq}`,
  source: 'runledger',
  'detail-type': 'run.progress',
  time: '2026-12-02T10:00:00Z',
  detail: { tenant: 'acme', runId, eventId: `e${seq}`, seq, type: 'run.progress', occurredAt: '2026-12-02T10:00:00Z', receivedAt: '2026-12-02T10:00:00.000Z', payload: { progress: 0.1 } },
});
const sqsBatch = (events: unknown[]): SQSEvent =>
  ({ Records: events.map((event, index) => ({ messageId: `m${index}`, body: JSON.stringify(event), attributes: { ApproximateReceiveCount: '3' }, eventSource: 'aws:sqs', messageAttributes: {} })) }) as unknown as SQSEvent;
const context = { functionName: 'observer', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

describe('recordDeliveries with a ledger queue', () => {
  it('sends an invocation’s success as one message and writes nothing to the ledger', async () => {
    const { ledger, delivered, failures } = keepingLedger();
    const { queue, sent } = keepingQueue();
    const observe = middy(() => Promise.resolve()).use(recordDeliveries({ name: 'billing', ledger, queue }));

    await observe(busEvent('run-1', 7), context);

    expect(sent).toEqual([[{ tenant: 'acme', runId: 'run-1', subscriber: 'billing', kind: 'observer', seqs: [7] }]]);
    expect(delivered).toEqual([]);
    expect(failures).toEqual([]);
  });

  it('sends an SQS batch’s successes as ONE message, by run, and writes its failed items one by one', async () => {
    const { ledger, delivered, failures } = keepingLedger();
    const { queue, sent } = keepingQueue();
    const failing = new Set(['bus-run-a-2', 'bus-run-b-9']);
    const handler = consumeBusQueue((event) => (failing.has(String((event as { id: string }).id)) ? Promise.reject(new Error('no')) : Promise.resolve()));
    const observe = middy(handler).use(recordDeliveries({ name: 'billing', ledger, queue }));

    await observe(sqsBatch([busEvent('run-a', 1), busEvent('run-a', 2), busEvent('run-a', 3), busEvent('run-b', 8), busEvent('run-b', 9)]), context);

    expect(sent).toEqual([
      [
        { tenant: 'acme', runId: 'run-a', subscriber: 'billing', kind: 'observer', seqs: [1, 3] },
        { tenant: 'acme', runId: 'run-b', subscriber: 'billing', kind: 'observer', seqs: [8] },
      ],
    ]);
    expect(delivered).toEqual([]);
    expect(failures.map(({ runId, seq, status, attempts }) => ({ runId, seq, status, attempts }))).toEqual([
      { runId: 'run-a', seq: 2, status: 'failed', attempts: 3 },
      { runId: 'run-b', seq: 9, status: 'failed', attempts: 3 },
    ]);
  });

  it('writes a throw straight to the ledger as a failure, sends nothing, and throws it on', async () => {
    const { ledger, delivered, failures } = keepingLedger();
    const { queue, sent } = keepingQueue();
    const observe = middy(() => Promise.reject(new Error('billing is down'))).use(recordDeliveries({ name: 'billing', ledger, queue }));

    await expect(observe(busEvent('run-1', 4), context)).rejects.toThrow('billing is down');

    expect(sent).toEqual([]);
    expect(delivered).toEqual([]);
    expect(failures).toEqual([expect.objectContaining({ runId: 'run-1', subscriber: 'billing', seq: 4, status: 'failed', attempts: 1, lastError: 'billing is down' })]);
  });

  it('writes the successes to the ledger directly when the queue refuses the message, and the observer still succeeds', async () => {
    const { ledger, delivered } = keepingLedger();
    const { queue } = keepingQueue({ refuse: true });
    const observe = middy(() => Promise.resolve('done')).use(recordDeliveries({ name: 'billing', ledger, queue }));

    await expect(observe(busEvent('run-1', 5), context)).resolves.toBe('done');

    expect(delivered).toEqual([[{ tenant: 'acme', runId: 'run-1', subscriber: 'billing', kind: 'observer', seqs: [5] }]]);
  });

  it('never fails the observer when both the queue and the ledger refuse', async () => {
    const { ledger } = keepingLedger({ failDelivered: true });
    const { queue } = keepingQueue({ refuse: true });
    const observe = middy(() => Promise.resolve('done')).use(recordDeliveries({ name: 'billing', ledger, queue }));

    await expect(observe(busEvent('run-1', 6), context)).resolves.toBe('done');
  });

  it('sends nothing for an invocation that carries no runledger event', async () => {
    const { ledger } = keepingLedger();
    const { queue, sent } = keepingQueue();
    const observe = middy(() => Promise.resolve()).use(recordDeliveries({ name: 'billing', ledger, queue }));

    await observe({ hello: 'a test invoke' }, context);

    expect(sent).toEqual([]);
  });
});

describe('SqsDeliveredQueue', () => {
  it('sends the entries as one SendMessage to its queue, in the shape the ledger writer parses', async () => {
    const client = answeringSqs(() => ({ $metadata: {}, MessageId: 'id-1' }));
    const queueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/ledger';
    const entries: DeliveredEntry[] = [
      { tenant: 'acme', runId: 'run-1', subscriber: 'billing', kind: 'observer', seqs: [1, 2, 3] },
      { tenant: 'acme', runId: 'run-2', subscriber: 'billing', kind: 'observer', seqs: [9] },
    ];

    await new SqsDeliveredQueue({ client, queueUrl }).send(entries);

    expect(client.asked.map(({ command }) => command)).toEqual([SendMessageCommand.name]);
    const input = client.asked[0]?.input as { QueueUrl: string; MessageBody: string };
    expect(input.QueueUrl).toBe(queueUrl);
    expect(parseDeliveredMessage(input.MessageBody)).toEqual(entries);
  });

  it('sends nothing for no entries', async () => {
    const client = answeringSqs(() => ({ $metadata: {} }));
    await new SqsDeliveredQueue({ client, queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/ledger' }).send([]);
    expect(client.asked).toEqual([]);
  });
});

describe('parseDeliveredMessage', () => {
  it.each([
    ['not JSON', '{', /not JSON/],
    ['no entries list', '{}', /at 'delivered'/],
    ['a seq that is not a positive integer', JSON.stringify({ delivered: [{ tenant: 'a', runId: 'r', subscriber: 's', kind: 'observer', seqs: [0] }] }), /at 'delivered.0.seqs.0'/],
    ['an unknown kind', JSON.stringify({ delivered: [{ tenant: 'a', runId: 'r', subscriber: 's', kind: 'email', seqs: [1] }] }), /at 'delivered.0.kind'/],
  ])('refuses %s, naming the field', (_name, body, message) => {
    expect(() => parseDeliveredMessage(body)).toThrow(message);
  });
});
