import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { remoteQueueName } from '#infra/constructs/observer-rules.ts';
import { resolveRunLedgerProps } from '#infra/constructs/runledger.ts';
import { RunLedgerStack } from '#infra/runledger-stack.ts';
import { inspectTemplate, refOf } from './delivery-support.ts';
import { context } from './support.ts';

/** Templates only: these apps skip bundling (CDK's `aws:cdk:bundling-stacks`), so three synths stay quick. */
const CONTEXT = context({ stage: 'prod', 'aws:cdk:bundling-stacks': [] });
const BASIC_ROLE = { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'Test functions with the basic execution role.' };

/** A consumer's function that uses RunLedger's outputs: its bus name and table name (and may put events on the bus). */
function consumerFunction(scope: Construct, id: string, runledger: RunLedgerStack): LambdaFunction {
  const fn = new LambdaFunction(scope, id, {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = async () => {}'),
    environment: { RUNLEDGER_BUS: runledger.runledger.bus.eventBusName, RUNLEDGER_TABLE: runledger.runledger.events.table.tableName },
  });
  runledger.runledger.bus.grantPutEventsTo(fn);
  Validations.of(fn).acknowledge(BASIC_ROLE);
  return fn;
}

/**
 * The two-stack app: a consumer stack that uses RunLedger's outputs, and RunLedger subscribing the
 * consumer's function (required and optional), plus an observer function of RunLedger's own stack.
 */
function twoStackApp({ pagerId = 'Pager' }: { pagerId?: string } = {}) {
  const app = new App({ context: CONTEXT });
  const { stack } = buildApp(app);
  const consumer = new Stack(app, 'Consumer');
  stack.runledger.addObserver(consumerFunction(consumer, pagerId, stack), { name: 'pager', filter: { types: ['run.failed'] }, required: true });
  stack.runledger.addObserver(consumerFunction(consumer, 'Audit', stack), { name: 'audit', filter: { preset: 'minimal' } });
  const own = new LambdaFunction(stack, 'OwnPager', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => {}') });
  Validations.of(own).acknowledge(BASIC_ROLE);
  stack.runledger.addObserver(own, { name: 'own-pager', filter: { types: ['run.timed_out'] }, required: true });
  // Synthesis runs cdk-nag over both stacks: it throws on any unacknowledged finding, or on a cycle.
  const assembly = app.synth();
  return { app, stack, consumer, assembly };
}

const { stack, consumer, assembly } = twoStackApp();
const runledgerTemplate = Template.fromStack(stack);
const consumerTemplate = Template.fromStack(consumer);
const inRunLedger = inspectTemplate(runledgerTemplate);
const inConsumer = inspectTemplate(consumerTemplate);
const importedTopic = { 'Fn::ImportValue': expect.stringMatching(/AlertTopic/) };
const functionIdOf = (template: Template, prefix: string): string => {
  const [id] = Object.keys(template.findResources('AWS::Lambda::Function')).filter((logicalId) => logicalId.startsWith(prefix));
  if (id === undefined) throw new Error(`no function ${prefix}`);
  return id;
};

describe('cross-stack addObserver: a consumer stack that uses RunLedger’s outputs', () => {
  it('synthesizes with no cycle: the consumer depends on RunLedger, RunLedger on nothing', () => {
    expect(assembly.getStackByName('Consumer').dependencies.map((dependency) => dependency.id)).toContain(stack.artifactId);
    expect(assembly.getStackByName(stack.stackName).dependencies.map((dependency) => dependency.id)).not.toContain('Consumer');
  });

  it('puts the rule, its delivery queue, dead-letter queue, dispatcher and alarm in the consumer’s stack, against RunLedger’s bus', () => {
    const [dispatcherId, dispatcher] = inConsumer.functionWith('dispatch-observer');
    expect(dispatcher.Properties).toMatchObject({ Environment: { Variables: { RUNLEDGER_OBSERVER_FUNCTION: { 'Fn::GetAtt': [functionIdOf(consumerTemplate, 'Pager'), 'Arn'] } } } });
    inConsumer.expectQueuedDelivery('pager', dispatcherId, Duration.minutes(1), importedTopic);
    consumerTemplate.hasResourceProperties('AWS::Events::Rule', { Description: 'runledger observer pager', EventBusName: { 'Fn::ImportValue': Match.stringLikeRegexp('RunLedgerBus') }, EventPattern: { source: ['runledger'], 'detail-type': ['run.failed'] } });
    expect(refOf(inConsumer.targetOf('audit').Arn)).toBe(functionIdOf(consumerTemplate, 'Audit'));
    expect(inRunLedger.findTarget('pager')).toBeUndefined();
    expect(inRunLedger.findTarget('audit')).toBeUndefined();
  });

  it('exports no function ARN and imports nothing into RunLedger, so replacing the consumer’s function changes no export', () => {
    expect(JSON.stringify(runledgerTemplate.toJSON())).not.toContain('Fn::ImportValue');
    const outputs = Object.values((consumerTemplate.toJSON() as { Outputs?: Record<string, { Export?: unknown }> }).Outputs ?? {});
    expect(outputs.filter((output) => output.Export !== undefined)).toEqual([]);
    // The consumer's function replaced (a new logical id): RunLedger's template is the same, so nothing there blocks the deploy.
    const replaced = twoStackApp({ pagerId: 'PagerV2' });
    expect(Template.fromStack(replaced.stack).toJSON()).toEqual(runledgerTemplate.toJSON());
    expect(functionIdOf(Template.fromStack(replaced.consumer), 'PagerV2')).toMatch(/^PagerV2/);
  }, 120_000);

  it('names the consumer’s queues, so RunLedger’s ObserverQueues output (the dlq command) lists them without a reference', () => {
    for (const role of ['dlq', 'deliveries'] as const) consumerTemplate.hasResourceProperties('AWS::SQS::Queue', { QueueName: remoteQueueName('prod', 'pager', role) });
    const output = JSON.stringify(runledgerTemplate.findOutputs('ObserverQueues'));
    expect(output).toContain(remoteQueueName('prod', 'pager', 'dlq'));
    expect(output).toContain(remoteQueueName('prod', 'pager', 'deliveries'));
    expect(output).toContain('\\"name\\":\\"own-pager\\"');
  });

  it('keeps a same-stack observer where it was: in RunLedger’s stack, queues with generated names, no import', () => {
    const ownId = functionIdOf(runledgerTemplate, 'OwnPager');
    const [dispatcherId] = inRunLedger.functionWith('dispatch-observer', { RUNLEDGER_OBSERVER_FUNCTION: { 'Fn::GetAtt': [ownId, 'Arn'] } });
    const { queueId, deadLettersId } = inRunLedger.expectQueuedDelivery('own-pager', dispatcherId, Duration.minutes(1));
    // The logical ids of before: under the RunLedger construct's Observers, so a deployed stack keeps its queues.
    expect(queueId).toMatch(/^RunLedgerObserversownpagerDeliveries/);
    expect(inRunLedger.resource(queueId).Properties.QueueName).toBeUndefined();
    expect(inRunLedger.resource(deadLettersId).Properties.QueueName).toBeUndefined();
    expect(inConsumer.findTarget('own-pager')).toBeUndefined();
  });

  it('refuses a function of another account or region than the bus: an EventBridge rule lives beside its bus', () => {
    const app = new App({ context: CONTEXT });
    const runledger = new RunLedgerStack(app, 'RunLedger-prod', { config: resolveRunLedgerProps({ stage: 'prod' }), env: { account: '111111111111', region: 'us-east-1' } });
    const elsewhere = new Stack(app, 'Elsewhere', { env: { account: '111111111111', region: 'eu-west-1' } });
    const fn = new LambdaFunction(elsewhere, 'Pager', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => {}') });
    expect(() => runledger.runledger.addObserver(fn, { name: 'pager', filter: { preset: 'minimal' }, required: true })).toThrow(/'pager' is in stack Elsewhere \(eu-west-1\).*account and region/);
  });

  it('is really checking for cycles: the old placement (the rule in RunLedger’s stack, targeting the consumer’s function) fails synth', () => {
    const app = new App({ context: CONTEXT });
    const { stack: runledger } = buildApp(app);
    const fn = consumerFunction(new Stack(app, 'Consumer'), 'Pager', runledger);
    new Rule(runledger, 'OldPlacement', { eventBus: runledger.runledger.bus, eventPattern: { source: ['runledger'] }, targets: [new LambdaTarget(fn)] });
    expect(() => app.synth()).toThrow(/cycl/i);
  }, 120_000);
});
