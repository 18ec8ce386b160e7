import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { DynamoDbDeliveryLedger } from '#adapters/dynamodb/dynamodb-delivery-ledger.ts';
import type { DeliveryFailure, LedgerKey } from '#shared/webhooks/ports.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';
import { uniqueId } from '#test/support/events.ts';

let table: Awaited<ReturnType<typeof makeTestTable>>;
beforeAll(async () => {
  table = await makeTestTable();
});

/** A ledger on the test table whose client counts the commands it sends, by name. */
function countingLedger(): { ledger: DynamoDbDeliveryLedger; sent: string[] } {
  const base = makeDynamoDbClient({ endpoint: table.endpoint });
  const sent: string[] = [];
  base.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  const client = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  return { ledger: new DynamoDbDeliveryLedger({ client, tableName: table.tableName, retentionDays: 1 }), sent };
}

const keyOf = (): LedgerKey => ({ tenant: uniqueId('tenant'), runId: uniqueId('run'), subscriber: 'sub_1', kind: 'webhook' });
const failure = (key: LedgerKey, seq: number, status: DeliveryFailure['status']): DeliveryFailure => ({ ...key, seq, status, attempts: 1 });

describe('DynamoDbDeliveryLedger costs', () => {
  it('writes one item for a failure that replaces none or a live one, and touches the dead index only on the way in and out', async () => {
    const { ledger, sent } = countingLedger();
    const key = keyOf();

    await ledger.recordFailure(failure(key, 1, 'pending'));
    await ledger.recordFailure(failure(key, 1, 'failed'));
    expect(sent).toEqual(['PutItemCommand', 'PutItemCommand']);

    sent.length = 0;
    await ledger.recordFailure(failure(key, 1, 'dead'));
    await ledger.recordFailure(failure(key, 1, 'pending'));
    expect(sent).toEqual(['PutItemCommand', 'PutItemCommand', 'PutItemCommand', 'DeleteItemCommand']);
    expect(await ledger.listDead(key.tenant, key.subscriber)).toEqual([]);
  });

  it('reads a page with one Query when the page holds the delivered blocks of its failures, and adds one BatchGet when they are on an earlier page', async () => {
    const { ledger, sent } = countingLedger();
    const key = keyOf();
    await ledger.recordDelivered([{ ...key, seqs: [1, 2] }], new Date());
    await ledger.recordFailure(failure(key, 2, 'failed'));
    await ledger.recordFailure(failure(key, 3, 'failed'));

    sent.length = 0;
    const whole = await ledger.readRun(key.tenant, key.runId, { limit: 100 });
    expect(sent).toEqual(['QueryCommand']);
    expect(whole.failures.map(({ seq }) => seq)).toEqual([3]);

    const first = await ledger.readRun(key.tenant, key.runId, { limit: 1 });
    sent.length = 0;
    const second = await ledger.readRun(key.tenant, key.runId, { limit: 100, cursor: first.next });
    expect(sent).toEqual(['QueryCommand', 'BatchGetItemCommand']);
    expect(second.failures.map(({ seq }) => seq)).toEqual([3]);
  });
});
