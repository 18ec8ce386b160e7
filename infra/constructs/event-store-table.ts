import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { EVENTS_TABLE } from '#adapters/dynamodb/table-definition.ts';

export type EventStoreTableProps = {
  /** What happens to the table (and its events) when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
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
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
