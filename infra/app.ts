import { App } from 'aws-cdk-lib';
import { RunLedgerStack } from './runledger-stack.ts';

const app = new App();
new RunLedgerStack(app, 'RunLedger', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
