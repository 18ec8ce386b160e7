import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EventStoreTable } from './constructs/event-store-table.ts';

/**
 * The deployable stack. So far it holds the events table; the API, functions, bus and observers
 * join it as their issues land (see the README's "Deploy to AWS").
 */
export class RunLedgerStack extends Stack {
  public readonly events: EventStoreTable;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.events = new EventStoreTable(this, 'Events');
    new CfnOutput(this, 'EventsTableName', { value: this.events.table.tableName });
  }
}
