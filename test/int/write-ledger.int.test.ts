import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { DynamoDbDeliveryLedger } from '#adapters/dynamodb/dynamodb-delivery-ledger.ts';
import { compose } from '#functions/runtime/compose.ts';
import { loadConfig } from '#functions/runtime/config.ts';
import { makeWriteLedgerHandler } from '#functions/write-ledger/write-ledger.ts';
import { encodeDeliveredMessage } from '#shared/webhooks/delivered-message.ts';
import type { DeliveredEntry } from '#shared/webhooks/ports.ts';
import { toSubscriberDeliveries } from '#shared/webhooks/ledger-view.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';
import { uniqueId } from '#test/support/events.ts';

let table: Awaited<ReturnType<typeof makeTestTable>>;
beforeAll(async () => {
  table = await makeTestTable();
});

/** DynamoDB calls the client sends, by command name, counted at the wire. */
function countCalls(client: DynamoDBClient): Map<string, number> {
  const calls = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? 'unknown';
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return calls;
}

const sqsEvent = (bodies: string[]): SQSEvent =>
  ({ Records: bodies.map((body, index) => ({ messageId: `m${index}`, receiptHandle: `r${index}`, body, attributes: { ApproximateReceiveCount: '1' }, messageAttributes: {}, eventSource: 'aws:sqs' })) }) as unknown as SQSEvent;
const observer = (runId: string, subscriber: string, seqs: number[]): DeliveredEntry => ({ tenant: 'acme', runId, subscriber, kind: 'observer', seqs });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

/** A fixed shuffle, so the messages do not arrive in seq order (SQS standard queues do not keep order). */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('the ledger writer (functions/write-ledger) on DynamoDB Local', () => {
  it('records every seq of a batch of many messages, one write per (run, subscriber, 128-seq block)', async () => {
    // A client of its own, so only this handler's calls are counted.
    const client = makeDynamoDbClient({ endpoint: table.endpoint });
    const calls = countCalls(client);
    const root = compose(loadConfig({ RUNLEDGER_TABLE_NAME: table.tableName, POWERTOOLS_LOG_LEVEL: 'ERROR' }), { dynamoDb: client });
    const [runA, runB] = [uniqueId('run'), uniqueId('run')];
    // Run A: seqs 1-300 to two observers, one invocation (one message) per event: blocks 0, 1 and 2 of each.
    // Run B: seqs 1-50 to one observer, ten a message (an SQS-fed observer's batches): block 0.
    // And a repeat delivery of A's seq 7, which changes nothing.
    const bodies = shuffled([
      ...range(1, 300).flatMap((seq) => [encodeDeliveredMessage([observer(runA, 'metrics', [seq])]), encodeDeliveredMessage([observer(runA, 'billing', [seq])])]),
      ...[0, 10, 20, 30, 40].map((start) => encodeDeliveredMessage([observer(runB, 'billing', range(start + 1, start + 10))])),
      encodeDeliveredMessage([observer(runA, 'metrics', [7])]),
    ]);

    const answer = await makeWriteLedgerHandler(root)(sqsEvent(bodies));

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(calls.get('UpdateItemCommand')).toBe(2 * 3 + 1);
    expect([...calls.keys()]).toEqual(['UpdateItemCommand']);
    const ledger = new DynamoDbDeliveryLedger({ client: table.documentClient, tableName: table.tableName, retentionDays: 1 });
    const ofA = toSubscriberDeliveries(await ledger.readRun('acme', runA, { limit: 100 }));
    expect(ofA).toEqual(
      expect.arrayContaining([
        { subscriber: 'metrics', kind: 'observer', delivered: [{ fromSeq: 1, toSeq: 300 }], deliveredCount: 300, undelivered: [] },
        { subscriber: 'billing', kind: 'observer', delivered: [{ fromSeq: 1, toSeq: 300 }], deliveredCount: 300, undelivered: [] },
      ]),
    );
    expect(ofA).toHaveLength(2);
    expect(toSubscriberDeliveries(await ledger.readRun('acme', runB, { limit: 100 }))).toEqual([
      { subscriber: 'billing', kind: 'observer', delivered: [{ fromSeq: 1, toSeq: 50 }], deliveredCount: 50, undelivered: [] },
    ]);
  });

  it('writes a batch that names more blocks than it sends at once (a bounded number in flight): each block once, none left out', async () => {
    const client = makeDynamoDbClient({ endpoint: table.endpoint });
    const calls = countCalls(client);
    const root = compose(loadConfig({ RUNLEDGER_TABLE_NAME: table.tableName, POWERTOOLS_LOG_LEVEL: 'ERROR' }), { dynamoDb: client });
    const runs = Array.from({ length: 90 }, () => uniqueId('run'));

    expect(await makeWriteLedgerHandler(root)(sqsEvent(runs.map((runId) => encodeDeliveredMessage([observer(runId, 'metrics', [1, 2])]))))).toEqual({ batchItemFailures: [] });

    expect(calls.get('UpdateItemCommand')).toBe(90);
    const ledger = new DynamoDbDeliveryLedger({ client: table.documentClient, tableName: table.tableName, retentionDays: 1 });
    for (const runId of runs) expect((await ledger.readRun('acme', runId, { limit: 10 })).delivered).toEqual([expect.objectContaining({ subscriber: 'metrics', seqs: expect.arrayContaining([1, 2]) })]);
  });

  it('reports a message it cannot read as the one failed item, and writes the others', async () => {
    const root = compose(loadConfig({ RUNLEDGER_TABLE_NAME: table.tableName, POWERTOOLS_LOG_LEVEL: 'CRITICAL' }), { dynamoDb: table.client });
    const runId = uniqueId('run');
    const bodies = [encodeDeliveredMessage([observer(runId, 'metrics', [1])]), '{"delivered":[{"tenant":"acme"}]}', encodeDeliveredMessage([observer(runId, 'metrics', [2])])];

    expect(await makeWriteLedgerHandler(root)(sqsEvent(bodies))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });

    const ledger = new DynamoDbDeliveryLedger({ client: table.documentClient, tableName: table.tableName, retentionDays: 1 });
    expect(toSubscriberDeliveries(await ledger.readRun('acme', runId, { limit: 100 }))).toEqual([expect.objectContaining({ subscriber: 'metrics', delivered: [{ fromSeq: 1, toSeq: 2 }] })]);
  });

  it('reports every message failed when the ledger cannot be written, so the queue brings them all back', async () => {
    const root = compose(loadConfig({ RUNLEDGER_TABLE_NAME: uniqueId('no-such-table'), POWERTOOLS_LOG_LEVEL: 'CRITICAL' }), { dynamoDb: table.client });
    const bodies = [encodeDeliveredMessage([observer('r', 'metrics', [1])]), encodeDeliveredMessage([observer('r', 'metrics', [2])])];

    expect(await makeWriteLedgerHandler(root)(sqsEvent(bodies))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }, { itemIdentifier: 'm1' }] });
  });
});
