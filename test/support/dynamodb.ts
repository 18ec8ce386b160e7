import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ensureEventsTable } from '#adapters/dynamodb/table-setup.ts';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { uniqueId } from './events.ts';

/** A fresh events table on the test run's DynamoDB Local (or the one at `endpoint`), and clients for it. */
export async function makeTestTable(endpoint = inject('dynamoDbEndpoint')): Promise<{ client: DynamoDBClient; documentClient: DynamoDBDocumentClient; tableName: string; endpoint: string }> {
  const client = makeDynamoDbClient({ endpoint });
  const tableName = uniqueId('events');
  await ensureEventsTable(client, tableName);
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { client, documentClient, tableName, endpoint };
}
