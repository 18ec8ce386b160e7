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
 *
 * Local secondary index `byTask` (sparse: task events only): sort key `taskSeq` =
 * `<encoded taskId>#<seq:10>`, so one task's events come back in order with one Query, at a cost
 * that grows with that task's history and not the run's. One more write unit per task event.
 */
export const EVENTS_TABLE = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  /** Epoch seconds; DynamoDB deletes expired items (DynamoDB Local does not: readers filter on it). */
  timeToLiveAttribute: 'expiresAt',
  /** The relay publishes new event items from the stream; it needs only the new image. */
  streamViewType: 'NEW_IMAGE',
  taskIndex: { name: 'byTask', sortKey: { name: 'taskSeq', type: 'S' } },
} as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: EVENTS_TABLE.partitionKey.name, AttributeType: EVENTS_TABLE.partitionKey.type },
      { AttributeName: EVENTS_TABLE.sortKey.name, AttributeType: EVENTS_TABLE.sortKey.type },
      { AttributeName: EVENTS_TABLE.taskIndex.sortKey.name, AttributeType: EVENTS_TABLE.taskIndex.sortKey.type },
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
    StreamSpecification: { StreamEnabled: true, StreamViewType: EVENTS_TABLE.streamViewType },
  };
}
