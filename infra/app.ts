import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configFromContext } from './config.ts';
import { RunLedgerStack } from './runledger-stack.ts';

/** `cdk synth` / `cdk deploy`: configuration from cdk.json context and `-c key=value`. */
export function buildApp(app: App = new App()): { app: App; stack: RunLedgerStack } {
  const config = configFromContext((key) => app.node.tryGetContext(key));
  const stack = new RunLedgerStack(app, `RunLedger-${config.stage}`, {
    config,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: `runledger (${config.stage}): run lifecycle events`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (import.meta.main) buildApp();
