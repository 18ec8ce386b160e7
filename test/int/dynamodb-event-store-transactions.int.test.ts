import { describe } from 'vitest';
import { DynamoDbEventStore } from '#adapters/dynamodb/dynamodb-event-store.ts';
import { systemClock, type RunStorage } from '#shared/ports.ts';
import { eventStoreFeatures, type StoreFactory } from '#test/contract/event-store.contract.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';

// The item writes the local stack uses on its on-disk DynamoDB Local (transactions instead of
// PartiQL batches): the same use case, so the features that exercise item writes run again.
let table: Awaited<ReturnType<typeof makeTestTable>> | undefined;
let lease: number | undefined;
const storeOn = (on: NonNullable<typeof table>, wrapStorage?: (storage: RunStorage) => RunStorage) =>
  new DynamoDbEventStore({
    client: on.documentClient,
    tableName: on.tableName,
    clock: systemClock,
    limits: { maxEventsPerRun: 100_000, retentionDays: 30 },
    itemWrites: 'transaction',
    ...(lease === undefined ? {} : { claimLeaseSeconds: lease }),
    ...(wrapStorage === undefined ? {} : { wrapStorage }),
  });

const factory: StoreFactory = {
  make: async ({ claimLeaseSeconds, wrapStorage } = {}) => {
    table = await makeTestTable();
    lease = claimLeaseSeconds;
    return storeOn(table, wrapStorage);
  },
  peers: (count, wrapStorage) => {
    const on = table;
    if (on === undefined) throw new Error('make() a store first');
    return Array.from({ length: count }, () => storeOn(on, wrapStorage));
  },
};

describe('DynamoDB Local event store, transactional item writes', () => {
  eventStoreFeatures.idempotency(factory);
  eventStoreFeatures.crashes(factory);
  eventStoreFeatures.producerCrashes(factory);
});
