import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/dynamodb-api-key-store.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/dynamodb-event-store.ts';
import type { StalePolicy } from '#shared/run/staleness.ts';
import { requireSetting } from '../config.ts';
import { part, requireClient, type Root } from '../compose.ts';
import { tracerOf } from './tracer.ts';

/** The events table's name; every part that reads or writes it needs RUNLEDGER_TABLE_NAME. */
export function tableNameOf(root: Root, neededBy: string): string {
  return requireSetting(root.config, 'RUNLEDGER_TABLE_NAME', neededBy);
}

export function stalePolicyOf({ config }: Root): StalePolicy {
  return { heartbeatTimeoutSeconds: config.RUNLEDGER_HEARTBEAT_TIMEOUT_SECONDS, maxDurationSeconds: config.RUNLEDGER_MAX_RUN_SECONDS };
}

/** The stores' DynamoDB client, traced (a subsegment per call in AWS). */
export const storeClientOf = part((root) =>
  DynamoDBDocumentClient.from(tracerOf(root).captureAWSv3Client(requireClient(root, 'dynamoDb', 'the event store')), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);

export const eventStoreOf = part(
  (root) =>
    new DynamoDbEventStore({
      client: storeClientOf(root),
      tableName: tableNameOf(root, 'the event store'),
      clock: root.clock,
      limits: { maxEventsPerRun: root.config.RUNLEDGER_MAX_EVENTS_PER_RUN, retentionDays: root.config.RUNLEDGER_RETENTION_DAYS, stalePolicy: stalePolicyOf(root) },
    }),
);

export const apiKeyStoreOf = part((root) => new DynamoDbApiKeyStore({ client: storeClientOf(root), tableName: tableNameOf(root, 'the API key store'), clock: root.clock }));
