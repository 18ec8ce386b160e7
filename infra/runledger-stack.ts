import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RunLedgerConfig } from './config.ts';
import { RunLedger } from './constructs/runledger.ts';

export type RunLedgerStackProps = StackProps & { readonly config: RunLedgerConfig };

/** The deployable stack: the RunLedger construct and the outputs a user needs. */
export class RunLedgerStack extends Stack {
  public readonly runledger: RunLedger;

  constructor(scope: Construct, id: string, props: RunLedgerStackProps) {
    super(scope, id, props);
    this.runledger = new RunLedger(this, 'RunLedger', props.config);
    new CfnOutput(this, 'ApiUrl', { value: this.runledger.api.api.url, description: 'Base URL; routes start with v1/' });
    new CfnOutput(this, 'BusName', { value: this.runledger.bus.eventBusName });
    new CfnOutput(this, 'TableName', { value: this.runledger.events.table.tableName, description: 'npm run keys -- create --table <this>' });
  }
}
