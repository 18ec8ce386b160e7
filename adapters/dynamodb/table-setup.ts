import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { EVENTS_TABLE, RUN_INDEXES, createTableInput, globalIndexInput } from './table-definition.ts';

/**
 * Creates the events table if it does not exist yet, and adds indexes a table made by an older
 * version lacks (local stack and tests; CDK owns the table in AWS).
 */
export async function ensureEventsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const existing = await describe(client, tableName);
  if (existing !== undefined) return addMissingIndexes(client, tableName, existing);
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error: unknown) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: EVENTS_TABLE.timeToLiveAttribute, Enabled: true },
    }),
  );
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error: unknown) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** One index at a time, as DynamoDB requires; existing summaries enter an index on their next write. */
async function addMissingIndexes(client: DynamoDBClient, tableName: string, table: TableDescription): Promise<void> {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of RUN_INDEXES.filter((candidate) => !present.has(candidate.name))) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [index.partitionKey, index.sortKey].map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
        GlobalSecondaryIndexUpdates: [{ Create: globalIndexInput(index) }],
      }),
    );
    for (let attempt = 0; attempt < 120; attempt++) {
      const status = (await describe(client, tableName))?.GlobalSecondaryIndexes?.find((candidate) => candidate.IndexName === index.name)?.IndexStatus;
      if (status === 'ACTIVE') break;
      await sleep(500);
    }
  }
}
