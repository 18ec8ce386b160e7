import { afterAll, beforeAll } from 'vitest';
import { DynamoDbEventStore } from '#adapters/dynamodb/dynamodb-event-store.ts';
import { startDynamoDbLocal, type RunningDynamoDb } from '#local/dynamodb-local.ts';
import { systemClock, type Clock, type RunStorage, type StoreLimits } from '#shared/ports.ts';
import { describeEventStoreContract } from '#test/contract/event-store.contract.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';

// Its own DynamoDB Local: the suite's many concurrent writers (20 into one run, crashing ones, a
// reader beside them) are the heaviest load of the run, and on the shared instance they starved
// the other files (and were starved by them) past their timeouts on a busy machine.
let dynamo: RunningDynamoDb;
beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
});
afterAll(async () => {
  await dynamo.stop();
});

let lastTable: Awaited<ReturnType<typeof makeTestTable>> | undefined;
let lastLimits: StoreLimits = { maxEventsPerRun: 100_000, retentionDays: 30 };
let lastClock: Clock = systemClock;
let lastLease: number | undefined;

const storeOn = (table: Awaited<ReturnType<typeof makeTestTable>>, limits: StoreLimits, wrapStorage?: (storage: RunStorage) => RunStorage) =>
  new DynamoDbEventStore({
    client: table.documentClient,
    tableName: table.tableName,
    clock: lastClock,
    limits,
    ...(lastLease === undefined ? {} : { claimLeaseSeconds: lastLease }),
    ...(wrapStorage === undefined ? {} : { wrapStorage }),
  });

describeEventStoreContract('DynamoDB Local', {
  make: async ({ maxEventsPerRun = 100_000, clock = systemClock, claimLeaseSeconds, wrapStorage } = {}) => {
    lastTable = await makeTestTable(dynamo.endpoint);
    lastClock = clock;
    lastLease = claimLeaseSeconds;
    lastLimits = { maxEventsPerRun, retentionDays: 30 };
    return storeOn(lastTable, lastLimits, wrapStorage);
  },
  // Separate store instances share nothing in memory (no lock), like writers in separate Lambdas.
  peers: (count, wrapStorage) => {
    const table = lastTable;
    if (table === undefined) throw new Error('make() a store first');
    return Array.from({ length: count }, () => storeOn(table, lastLimits, wrapStorage));
  },
});
