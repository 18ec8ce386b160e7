import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchGetCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { ensureEventsTable } from '#adapters/dynamodb/table-setup.ts';
import { startDynamoDbLocal, type RunningDynamoDb } from '#local/dynamodb-local.ts';
import { dynamoDbLocalPids, killDynamoDbLocal } from '#test/support/dynamodb-local-process.ts';

const TABLE = 'barrier';
/** Each try is a DynamoDB Local restart (~6 s): few tries, many transactions acknowledged in each. */
const TRIES = 3;
const IN_FLIGHT = 8;

const dataDir = mkdtempSync(join(tmpdir(), 'runledger-barrier-'));
let dynamo: RunningDynamoDb | undefined;
afterEach(async () => {
  await killDynamoDbLocal(dataDir);
  await dynamo?.stop();
  dynamo = undefined;
});

/** The acknowledged transactions' keys that a fresh DynamoDB Local on the data dir does not have (both items of each). */
async function missingAfterRestart(keys: readonly string[]): Promise<string[]> {
  dynamo = await startDynamoDbLocal({ dataDir });
  const client = DynamoDBDocumentClient.from(makeDynamoDbClient({ endpoint: dynamo.endpoint }));
  const found = new Set<string>();
  try {
    for (let at = 0; at < keys.length; at += 50) {
      const Keys = keys.slice(at, at + 50).flatMap((pk) => [{ pk, sk: 'EVENT' }, { pk, sk: 'GUARD' }]);
      const answer = await client.send(new BatchGetCommand({ RequestItems: { [TABLE]: { Keys, ConsistentRead: true } } }));
      expect(answer.UnprocessedKeys ?? {}).toEqual({});
      for (const item of answer.Responses?.[TABLE] ?? []) found.add(`${String(item.pk)}/${String(item.sk)}`);
    }
  } finally {
    client.destroy();
  }
  return keys.filter((pk) => !found.has(`${pk}/EVENT`) || !found.has(`${pk}/GUARD`));
}

describe('the commit barrier in front of an on-disk DynamoDB Local', () => {
  it('keeps every acknowledged TransactWriteItems when DynamoDB Local is SIGKILLed right after the acknowledgement', async () => {
    dynamo = await startDynamoDbLocal({ dataDir });
    const setup = makeDynamoDbClient({ endpoint: dynamo.endpoint });
    await ensureEventsTable(setup, TABLE);
    setup.destroy();

    const acknowledged: string[] = [];
    const missing = new Set<string>();
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const [jvm, ...others] = dynamoDbLocalPids(dataDir);
      expect(jvm, 'the DynamoDB Local JVM of the data dir').toBeDefined();
      expect(others).toEqual([]);
      // No SDK retries: an answer is the first and only one, as the stack's ingest would see it.
      const client = DynamoDBDocumentClient.from(makeDynamoDbClient({ endpoint: dynamo.endpoint, maxAttempts: 1 }));
      const keys = Array.from({ length: IN_FLIGHT }, (_, i) => `try${attempt}-tx${i}`);
      // The shape of a server-sequenced append: an event item and its eventId guard, both conditional.
      const put = (pk: string, sk: string) => ({ Put: { TableName: TABLE, Item: { pk, sk, body: 'x'.repeat(300) }, ConditionExpression: 'attribute_not_exists(pk)' } });
      await Promise.all(keys.map((pk) => client.send(new TransactWriteCommand({ TransactItems: [put(pk, 'EVENT'), put(pk, 'GUARD')] }))));
      // In the same tick as the last acknowledgement: the moment an unguarded DynamoDB Local loses writes.
      if (jvm !== undefined) process.kill(jvm, 'SIGKILL');
      acknowledged.push(...keys);
      client.destroy();
      await dynamo.stop();
      for (const key of await missingAfterRestart(acknowledged)) missing.add(key);
    }
    expect({ acknowledged: acknowledged.length, missing: [...missing] }).toEqual({ acknowledged: TRIES * IN_FLIGHT, missing: [] });
  }, 90_000);
});
