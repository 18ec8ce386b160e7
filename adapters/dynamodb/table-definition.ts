import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one definition of the events table: CDK (infra/) and the local stack both build from it,
 * so the table in AWS and the one in DynamoDB Local cannot drift.
 *
 * Single table, keyed per run so every write and read of a run touches one partition:
 *   pk `T#<tenant>#R#<runId>`  sk `RUN`            run summary (status fold, sequencing state)
 *   pk `T#<tenant>#R#<runId>`  sk `E#<seq:10>`     one stored event (body deflated)
 *   pk `T#<tenant>#R#<runId>`  sk `I#<eventId>`    eventId guard, server-sequenced runs only
 *   pk `K#<sha256(key)>`       sk `KEY`            API key hash -> tenant
 *   pk `A#<tenant>#R#<runId>`  sk `<alert kind>`   alert sent (one per run and kind)
 *   pk `STREAMS`               sk `SLOT#<n>`       an open SSE stream's slot (lease id, expiresAt), n < maxOpenStreams
 *
 * Local secondary index `byTask` (sparse: task events only): sort key `taskSeq` =
 * `<encoded taskId>#<seq:10>`, so one task's events come back in order with one Query, at a cost
 * that grows with that task's history and not the run's. One more write unit per task event.
 *
 * Global secondary indexes over run summaries, KEYS_ONLY (a reader then gets the summaries
 * themselves, strongly consistent): their keys change when a run's status changes or its
 * updated-at minute does (runListKey), so a busy run costs an index write a minute, not a batch.
 *   `runsByStatus`  pk `T#<tenant>#S#<status>`   sk `<updated minute>#<runId>`
 *   `runsByThread`  pk `T#<tenant>#TH#<threadId>` sk the same (sparse: runs with a thread)
 *   `runsByDeadline` pk `STALE#<shard>`         sk `<stale deadline minute>` (sparse: running runs)
 */
export const EVENTS_TABLE = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  /** Epoch seconds; DynamoDB deletes expired items (DynamoDB Local does not: readers filter on it). */
  timeToLiveAttribute: 'expiresAt',
  /** The relay publishes new event items from the stream; it needs only the new image. */
  streamViewType: 'NEW_IMAGE',
  taskIndex: { name: 'byTask', sortKey: { name: 'taskSeq', type: 'S' } },
  statusIndex: { name: 'runsByStatus', partitionKey: { name: 'statusKey', type: 'S' }, sortKey: { name: 'listKey', type: 'S' } },
  threadIndex: { name: 'runsByThread', partitionKey: { name: 'threadKey', type: 'S' }, sortKey: { name: 'listKey', type: 'S' } },
  deadlineIndex: { name: 'runsByDeadline', partitionKey: { name: 'staleShard', type: 'S' }, sortKey: { name: 'staleAt', type: 'S' } },
} as const;

/** The global secondary indexes, in the order CDK and the local stack create them. */
export const RUN_INDEXES = [EVENTS_TABLE.statusIndex, EVENTS_TABLE.threadIndex, EVENTS_TABLE.deadlineIndex] as const;

export function globalIndexInput(index: (typeof RUN_INDEXES)[number]) {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'KEYS_ONLY' as const },
  };
}

function indexAttributes() {
  const names = new Set(RUN_INDEXES.flatMap((index) => [index.partitionKey.name, index.sortKey.name]));
  return [...names].map((name) => ({ AttributeName: name, AttributeType: 'S' as const }));
}

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: EVENTS_TABLE.partitionKey.name, AttributeType: EVENTS_TABLE.partitionKey.type },
      { AttributeName: EVENTS_TABLE.sortKey.name, AttributeType: EVENTS_TABLE.sortKey.type },
      { AttributeName: EVENTS_TABLE.taskIndex.sortKey.name, AttributeType: EVENTS_TABLE.taskIndex.sortKey.type },
      ...indexAttributes(),
    ],
    KeySchema: [
      { AttributeName: EVENTS_TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: EVENTS_TABLE.sortKey.name, KeyType: 'RANGE' },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: EVENTS_TABLE.taskIndex.name,
        KeySchema: [
          { AttributeName: EVENTS_TABLE.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: EVENTS_TABLE.taskIndex.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    GlobalSecondaryIndexes: RUN_INDEXES.map(globalIndexInput),
    StreamSpecification: { StreamEnabled: true, StreamViewType: EVENTS_TABLE.streamViewType },
  };
}
