import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableEncryptionV2, TableV2, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ALERT_PK_PREFIX, API_KEY_PK_PREFIX, DEADLINE_PK_PREFIX, ledgerPk, RUN_PK_PREFIX, STREAM_SLOT_PK, WEBHOOK_PK_PREFIX } from '#adapters/dynamodb/keys.ts';
import { EVENTS_TABLE, RUN_INDEXES } from '#adapters/dynamodb/table-definition.ts';

/** What a function may do with the table; each grants only the calls that job makes. */
export type TableAccess = 'run-writer' | 'run-reader' | 'key-reader' | 'alert-claimer' | 'stale-run-finder' | 'event-reader' | 'stream-slots' | 'webhook-manager' | 'ledger-writer' | 'delivered-writer' | 'webhook-reader';

/** `indexes: false` leaves the indexes out of the grant: the job queries the table's own items only. */
const ACCESS: Record<TableAccess, { actions: string[]; leadingKeys: string; indexes?: false }> = {
  // Ingest: transactions need PutItem/ConditionCheckItem on each item, UpdateItem adds to the tenant's stats;
  // server-sequenced events and guards are PartiQL INSERTs (BatchExecuteStatement); no Delete or Scan.
  'run-writer': {
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:Query', 'dynamodb:PartiQLInsert'],
    leadingKeys: `${RUN_PK_PREFIX}*`,
  },
  'run-reader': { actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], leadingKeys: `${RUN_PK_PREFIX}*` },
  // The authorizer reads API key hashes and nothing else.
  'key-reader': { actions: ['dynamodb:GetItem'], leadingKeys: `${API_KEY_PK_PREFIX}*` },
  // The alerting observer claims (put), marks sent (update) and releases (delete) its own alert items, nothing
  // else; a refused claim returns the item it found, so no GetItem.
  'alert-claimer': { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], leadingKeys: `${ALERT_PK_PREFIX}*` },
  // The stale-run detector reads the deadline index across tenants (run-writer is bound beside it).
  'stale-run-finder': { actions: ['dynamodb:Query'], leadingKeys: `${DEADLINE_PK_PREFIX}*` },
  // The relay failures redrive reads a run's events back by seq (a Query of the run's partition), nothing else.
  'event-reader': { actions: ['dynamodb:Query'], leadingKeys: `${RUN_PK_PREFIX}*`, indexes: false },
  // stream-run reads, takes (conditional put) and frees (conditional delete) the open-stream slots, in their one partition.
  'stream-slots': { actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], leadingKeys: STREAM_SLOT_PK, indexes: false },
  // Subscriptions and the delivery ledger (`W#`): the subscription routes, replay/redrive and the delivery worker.
  'webhook-manager': { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'], leadingKeys: `${WEBHOOK_PK_PREFIX}*`, indexes: false },
  // Observers record their deliveries (ADD to a block, put or delete a failure record), nothing else.
  'ledger-writer': { actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], leadingKeys: `${WEBHOOK_PK_PREFIX}*`, indexes: false },
  // The ledger writer only adds seqs to delivered blocks (ADD to a set): UpdateItem in runs' ledger partitions (`W#<tenant>#R#<run>`).
  'delivered-writer': { actions: ['dynamodb:UpdateItem'], leadingKeys: ledgerPk('*', '*'), indexes: false },
  // The fan-out lists a tenant's subscriptions; the ledger route reads a run's ledger.
  'webhook-reader': { actions: ['dynamodb:GetItem', 'dynamodb:Query'], leadingKeys: `${WEBHOOK_PK_PREFIX}*`, indexes: false },
};

const INDEX_NAMES = [EVENTS_TABLE.taskIndex.name, ...RUN_INDEXES.map((index) => index.name)];

export type EventStoreTableProps = {
  /** What happens to the table (and its events) when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** DynamoDB refuses DeleteTable while this is on: a retained table cannot be dropped by a console click or a script either. @default false */
  readonly deletionProtection?: boolean;
};

/**
 * The events table, built from the same definition the local stack creates in DynamoDB Local
 * (adapters/dynamodb/table-definition.ts): on demand, encrypted, point-in-time recovery, TTL,
 * and a NEW_IMAGE stream for the relay.
 */
export class EventStoreTable extends Construct {
  public readonly table: ITableV2;

  constructor(scope: Construct, id: string, props: EventStoreTableProps = {}) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: EVENTS_TABLE.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: EVENTS_TABLE.sortKey.name, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: EVENTS_TABLE.timeToLiveAttribute,
      dynamoStream: StreamViewType[EVENTS_TABLE.streamViewType],
      globalSecondaryIndexes: RUN_INDEXES.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey.name, type: AttributeType.STRING },
        sortKey: { name: index.sortKey.name, type: AttributeType.STRING },
        projectionType: ProjectionType.KEYS_ONLY,
      })),
      localSecondaryIndexes: [
        { indexName: EVENTS_TABLE.taskIndex.name, sortKey: { name: EVENTS_TABLE.taskIndex.sortKey.name, type: AttributeType.STRING }, projectionType: ProjectionType.ALL },
      ],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      deletionProtection: props.deletionProtection ?? false,
    });
  }

  /**
   * Lets a function use the table for one job: sets RUNLEDGER_TABLE_NAME and grants exactly that
   * job's actions, on items whose partition key starts with the job's prefix (run items `T#`,
   * API key items `K#`), in one call so the two cannot drift.
   */
  bind(fn: LambdaFunction, access: TableAccess): void {
    const { actions, leadingKeys, indexes } = ACCESS[access];
    fn.addEnvironment('RUNLEDGER_TABLE_NAME', this.table.tableName);
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions,
        // Queries of an index name the index's ARN; the leading-key condition holds there too
        // (a run index's partition key starts with the same prefix: `T#<tenant>#S#...`).
        resources: [this.table.tableArn, ...(indexes === false ? [] : INDEX_NAMES.map((name) => `${this.table.tableArn}/index/${name}`))],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [leadingKeys] } },
      }),
    );
  }
}
