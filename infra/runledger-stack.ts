import { CfnOutput, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
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
    // What `npm run keys -- revoke --stack <name>` flushes the authorizer cache of.
    new CfnOutput(this, 'RestApiId', { value: this.runledger.api.api.restApiId });
    new CfnOutput(this, 'StageName', { value: this.runledger.api.api.deploymentStage.stageName });
    // What `npm run dlq -- ... --aws --stack <name>` reads: lazy, so observers added after construction are in it.
    new CfnOutput(this, 'ObserverQueues', {
      description: 'JSON: each required observer with its dead-letter queue and the delivery queue a redrive moves it back to',
      value: Lazy.string({ produce: () => this.toJsonString(this.runledger.observers.queueOutputs) }),
    });
    new CfnOutput(this, 'RelayFailuresQueueUrl', { value: this.runledger.relayFailures.queueUrl, description: 'what the relay could not publish (tenant, run, seqs): npm run dlq -- redrive --aws' });
    // For an observer addObserver cannot configure (an imported function): its owner sets the URL and grants sqs:SendMessage on the ARN.
    new CfnOutput(this, 'LedgerQueueUrl', { value: this.runledger.ledgerQueue.queue.queueUrl, description: 'RUNLEDGER_LEDGER_QUEUE_URL of an observer CDK cannot configure (docs/observers.md)' });
    new CfnOutput(this, 'LedgerQueueArn', { value: this.runledger.ledgerQueue.queue.queueArn, description: 'grant such an observer sqs:SendMessage on this' });
    const { dashboard } = this.runledger;
    if (dashboard !== undefined) new CfnOutput(this, 'DashboardUrl', { value: dashboard.url, description: 'the dashboard (sign in with an API key)' });
    new CfnOutput(this, 'ShareKeysSecretArn', { value: this.runledger.shareLinkKeys.secret.secretArn, description: 'share-link signing keys; rotate as docs/dashboard.md says' });
    new CfnOutput(this, 'RelayStreamFailuresQueueUrl', { value: this.runledger.relayStreamFailures.queueUrl, description: 'last resort: stream batch metadata the relay failed on for a day' });
  }
}
