import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { EVENTS_TABLE, createTableInput } from './table-definition.ts';

/** Creates the events table if it does not exist yet (local stack and tests; CDK owns it in AWS). */
export async function ensureEventsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error: unknown) {
    if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
  }
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
