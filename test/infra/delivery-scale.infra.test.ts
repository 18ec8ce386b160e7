import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ObserverFilter } from '#shared/bus/observer-filter.ts';
import { summarizePublishPatterns } from '#shared/bus/publish-summary.ts';
import { buildApp } from '#infra/app.ts';
import { context } from './support.ts';

/** Lambda's limit: the keys and values of a function's environment variables, 4 KB in all. */
const LAMBDA_ENVIRONMENT_LIMIT = 4096;
/**
 * What a CloudFormation intrinsic (Ref, GetAtt, ImportValue) in a variable counts for: more than any
 * value they resolve to here (a queue URL is under 130 characters, a function ARN under 141, a bus or
 * table name at most 256).
 */
const INTRINSIC_SIZE = 256;

/** A value's length once deployed, intrinsics counted at INTRINSIC_SIZE and joins part by part. */
function deployedLength(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'object' && value !== null && 'Fn::Join' in value && Array.isArray(value['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'] as [unknown, unknown];
    if (typeof separator === 'string' && Array.isArray(parts)) return parts.reduce<number>((sum, part) => sum + deployedLength(part), separator.length * Math.max(0, parts.length - 1));
  }
  return INTRINSIC_SIZE;
}

/** Lambda's count: the sum of every key's and value's length. */
function environmentSize(variables: Record<string, unknown>): number {
  return Object.entries(variables).reduce((sum, [key, value]) => sum + key.length + deployedLength(value), 0);
}

/** A hundred observers of every kind: own custom types, presets, tenant patterns, `custom:*`; half of them required. */
const filterOf = (index: number): ObserverFilter =>
  [
    { types: ['run.failed', `custom:team-${index}.deployment-finished`] },
    { preset: 'minimal' },
    { pattern: { 'detail-type': ['task.failed'], detail: { tenant: [`tenant-${index}`] } } },
    { types: ['custom:*'] },
    { preset: 'chat' },
  ][index % 5] as ObserverFilter;

const app = new App({ context: context({ stage: 'prod', 'aws:cdk:bundling-stacks': [] }) });
const { stack } = buildApp(app);
const teams = [new Stack(app, 'TeamA'), new Stack(app, 'TeamB'), new Stack(app, 'TeamC')];
for (const team of teams) {
  Validations.of(team).acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'Test functions with the basic execution role.' });
}
Validations.of(stack).acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'Test observer functions with the basic execution role.' });
// 10 observers in RunLedger's own stack, 30 in each team's (each with its rule, queues, dispatcher and alarms).
const homes = [stack, ...teams];
for (let index = 0; index < 100; index++) {
  const home = index < 10 ? stack : (teams[Math.floor((index - 10) / 30)] ?? stack);
  const fn = new LambdaFunction(home, `Observer${index}`, {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = async () => {}'),
    environment: { RUNLEDGER_BUS: stack.runledger.bus.eventBusName },
  });
  stack.runledger.addObserver(fn, { name: `observer-${index}`, filter: filterOf(index), required: index % 2 === 0 });
}
// cdk-nag over every stack, as `cdk synth` runs it.
app.synth();

describe('an app with 100 observers (10 in RunLedger’s stack, 90 in three other stacks)', () => {
  it('synthesizes with every function’s environment under Lambda’s 4 KB, counted as Lambda does (keys + values)', () => {
    const sizes = homes.flatMap((home) =>
      Object.entries(Template.fromStack(home).findResources('AWS::Lambda::Function')).map(([id, fn]) => {
        const variables = (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables ?? {};
        return { fn: `${home.stackName}/${id}`, size: environmentSize(variables) };
      }),
    );
    // Every stack's functions were counted, the relay and 50 dispatchers among them.
    expect(sizes.length).toBeGreaterThan(100);
    expect(sizes.filter(({ size }) => size >= LAMBDA_ENVIRONMENT_LIMIT)).toEqual([]);
  });

  it('gives the relay the summary of all 103 subscriptions, those added from the other stacks after RunLedger was built included', () => {
    const [relay] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).filter((fn) => JSON.stringify(fn).includes('"runledger-relay"'));
    const variables = (relay as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    expect(variables.RUNLEDGER_PUBLISH_PATTERNS).toBe(JSON.stringify(summarizePublishPatterns(stack.runledger.observers.patterns)));
  });

  it('is really checking: every subscription’s pattern in the relay’s variable, as before, would pass the limit', () => {
    // 100 observers, the three built-ins and the webhook fan-out.
    expect(stack.runledger.observers.patterns).toHaveLength(104);
    expect('RUNLEDGER_PUBLISH_PATTERNS'.length + JSON.stringify(stack.runledger.observers.patterns).length).toBeGreaterThan(LAMBDA_ENVIRONMENT_LIMIT);
  });

  it('keeps each observer’s resources in its function’s stack, every stack under CloudFormation’s 500 resources', () => {
    for (const [home, count] of [[stack, 10 + 3 + 1], [teams[0], 30], [teams[1], 30], [teams[2], 30]] as const) {
      const template = Template.fromStack(home ?? stack);
      const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) => String((rule as { Properties: { Description?: unknown } }).Properties.Description).startsWith('runledger observer '));
      expect(rules).toHaveLength(count);
      expect(Object.keys((template.toJSON() as { Resources: object }).Resources).length).toBeLessThan(500);
    }
  });
});
