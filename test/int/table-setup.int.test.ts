import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, RUN_INDEXES } from '#adapters/dynamodb/table-definition.ts';
import { ensureEventsTable } from '#adapters/dynamodb/table-setup.ts';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { startDynamoDbLocal, type RunningDynamoDb } from '#local/dynamodb-local.ts';
import { uniqueId } from '#test/support/events.ts';

// A DynamoDB Local of its own: adding an index waits for the whole database, and the shared one is
// kept busy by the concurrency tests running beside this file.
let dynamo: RunningDynamoDb;
beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
}, 60_000);
afterAll(() => dynamo.stop());

describe('ensureEventsTable', () => {
  it('adds the run indexes to a table made before they existed, and leaves a current table alone', async () => {
    const client = makeDynamoDbClient({ endpoint: dynamo.endpoint });
    const tableName = uniqueId('old-events');
    // The table as an earlier version created it: no global secondary indexes, nor their attributes.
    const { GlobalSecondaryIndexes: _indexes, AttributeDefinitions = [], ...older } = createTableInput(tableName);
    const indexAttributes = new Set<string>(RUN_INDEXES.flatMap((index) => [index.partitionKey.name, index.sortKey.name]));
    await client.send(new CreateTableCommand({ ...older, AttributeDefinitions: AttributeDefinitions.filter((definition) => !indexAttributes.has(definition.AttributeName ?? '')) }));

    const indexNames = async () => ((await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.IndexStatus]);
    expect(await indexNames()).toEqual([]);
    await ensureEventsTable(client, tableName);
    const expected = RUN_INDEXES.map((index) => [index.name, 'ACTIVE']).sort();
    expect((await indexNames()).sort()).toEqual(expected);
    await ensureEventsTable(client, tableName);
    expect((await indexNames()).sort()).toEqual(expected);
    client.destroy();
  });
});
