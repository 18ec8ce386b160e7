import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '#infra/app.ts';
import { RUNLEDGER_DEFAULTS } from '#infra/constructs/runledger.ts';

/** Context equal to the defaults (which cdk.json does not repeat), with overrides. */
export function context(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...RUNLEDGER_DEFAULTS, corsOrigins: 'https://dash.example.com', ...overrides };
}

/** The app as `cdk synth` builds it (cdk-nag included), synthesized once per call. */
export function synthesize(overrides: Record<string, unknown> = {}) {
  const app = new App({ context: context(overrides) });
  const { stack } = buildApp(app);
  const assembly = app.synth();
  return { template: Template.fromStack(stack), assembly, stack };
}
