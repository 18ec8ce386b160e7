import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/dynamodb-api-key-store.ts';
import { DynamoDbEventStore } from '#adapters/dynamodb/dynamodb-event-store.ts';
import { part, requireClient } from '../compose.ts';
import { stalePolicyOf, tableNameOf } from './settings.ts';
import { traced } from './tracer.ts';

/** The stores' DynamoDB client, traced when the function was built with `traceCalls` (a subsegment per call). */
export const storeClientOf = /* @__PURE__ */ part((root) =>
  DynamoDBDocumentClient.from(traced(root, requireClient(root, 'dynamoDb', 'the event store')), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);

export const eventStoreOf = /* @__PURE__ */ part(
  (root) =>
    new DynamoDbEventStore({
      client: storeClientOf(root),
      tableName: tableNameOf(root, 'the event store'),
      clock: root.clock,
      limits: { maxEventsPerRun: root.config.RUNLEDGER_MAX_EVENTS_PER_RUN, retentionDays: root.config.RUNLEDGER_RETENTION_DAYS, stalePolicy: stalePolicyOf(root) },
      claimLeaseSeconds: root.config.RUNLEDGER_CLAIM_LEASE_SECONDS,
      itemWrites: root.config.RUNLEDGER_ITEM_WRITES,
    }),
);

export const apiKeyStoreOf = /* @__PURE__ */ part((root) => new DynamoDbApiKeyStore({ client: storeClientOf(root), tableName: tableNameOf(root, 'the API key store'), clock: root.clock }));
