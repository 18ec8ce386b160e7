import { beforeAll } from 'vitest';
import { DynamoDbDeliveryLedger } from '#adapters/dynamodb/dynamodb-delivery-ledger.ts';
import { DynamoDbSubscriptionStore } from '#adapters/dynamodb/dynamodb-subscription-store.ts';
import { describeDeliveryLedgerContract } from '#test/contract/delivery-ledger.contract.ts';
import { describeReplayLedgerContract } from '#test/contract/replay-ledger.contract.ts';
import { describeSubscriptionStoreContract } from '#test/contract/subscription-store.contract.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';

// One table for the file: every contract test uses a tenant of its own.
let table: Awaited<ReturnType<typeof makeTestTable>>;
beforeAll(async () => {
  table = await makeTestTable();
});

describeSubscriptionStoreContract('DynamoDB', () => Promise.resolve(new DynamoDbSubscriptionStore({ client: table.documentClient, tableName: table.tableName })));
describeDeliveryLedgerContract('DynamoDB', () => Promise.resolve(new DynamoDbDeliveryLedger({ client: table.documentClient, tableName: table.tableName, retentionDays: 1 })));
describeReplayLedgerContract('DynamoDB', () => Promise.resolve(new DynamoDbDeliveryLedger({ client: table.documentClient, tableName: table.tableName, retentionDays: 1 })));
