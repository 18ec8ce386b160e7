import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { compose, type Clients, type Root } from '#functions/runtime/compose.ts';
import { loadConfig, type FunctionEnvironment } from '#functions/runtime/config.ts';

/** A composition root on a test table, as a Lambda entry would compose it, with quiet logs. */
export function makeTestRoot(table: { client: DynamoDBClient; tableName: string }, config: FunctionEnvironment = {}, clients: Clients = {}): Root {
  return compose(loadConfig({ POWERTOOLS_LOG_LEVEL: 'SILENT', RUNLEDGER_TABLE_NAME: table.tableName, ...config }), { dynamoDb: table.client, ...clients });
}
