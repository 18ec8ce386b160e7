import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { batchGetItems } from '#adapters/dynamodb/batch-get.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';

let tableName: string;
let endpoint: string;
const keyOf = (index: number) => ({ pk: 'BATCH', sk: `item-${String(index).padStart(3, '0')}` });

beforeAll(async () => {
  const table = await makeTestTable();
  ({ tableName, endpoint } = table);
  for (let start = 0; start < 150; start += 25) {
    const items = Array.from({ length: 25 }, (_, offset) => ({ ...keyOf(start + offset), value: start + offset }));
    await table.documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: items.map((Item) => ({ PutRequest: { Item } })) } }));
  }
});

/**
 * A client on DynamoDB Local whose first `unprocessedCalls` BatchGetItem answers hand back half of
 * what they found as UnprocessedKeys, as DynamoDB does under throttling.
 */
function clientLeavingKeysUnprocessed(unprocessedCalls: number): { client: DynamoDBDocumentClient; calls: () => number } {
  const base = makeDynamoDbClient({ endpoint });
  let calls = 0;
  base.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      calls += 1;
      const output = result.output;
      // Only BatchGetItem answers both Responses and UnprocessedKeys by table.
      if (!('UnprocessedKeys' in output) || !('Responses' in output) || Array.isArray(output.Responses)) return result;
      const found = output.Responses?.[tableName];
      if (calls <= unprocessedCalls && found !== undefined && found.length > 1) {
        const left = found.splice(0, Math.floor(found.length / 2));
        output.UnprocessedKeys = { [tableName]: { Keys: left.map(({ pk, sk }) => ({ pk: pk ?? { S: '' }, sk: sk ?? { S: '' } })) } };
      }
      return result;
    },
    { step: 'initialize', name: 'leaveKeysUnprocessed' },
  );
  return { client: DynamoDBDocumentClient.from(base), calls: () => calls };
}

describe('batchGetItems', () => {
  it('reads more than 100 keys in calls of 100 and leaves out keys with no item', async () => {
    const { client, calls } = clientLeavingKeysUnprocessed(0);
    const keys = [...Array.from({ length: 150 }, (_, index) => keyOf(index)), keyOf(999)];
    const items = await batchGetItems(client, tableName, keys);
    expect(items).toHaveLength(150);
    expect(calls()).toBe(2);
  });

  it('asks again for the keys DynamoDB left unprocessed until every item is read', async () => {
    const { client, calls } = clientLeavingKeysUnprocessed(3);
    const items = await batchGetItems(client, tableName, Array.from({ length: 40 }, (_, index) => keyOf(index)));
    const values = items.map((item) => (typeof item === 'object' && item !== null && 'value' in item ? item.value : undefined));
    expect(values.sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 40 }, (_, index) => index));
    expect(calls()).toBeGreaterThan(3);
  });
});
