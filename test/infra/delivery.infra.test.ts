import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { OBSERVERS } from '#functions/observers.ts';
import { buildApp } from '#infra/app.ts';
import { inspectTemplate, refOf } from './delivery-support.ts';
import { context } from './support.ts';

/**
 * Delivery guarantees in AWS, on the stack as `cdk synth` builds it (cdk-nag included) plus two
 * observers of another team's stack added with addObserver: one required, one optional. Their
 * rules, queues and dispatcher are in the team's stack (two-stack apps: delivery-cross-stack).
 */
const app = new App({ context: context({ stage: 'prod' }) });
const { stack } = buildApp(app);
const team = new Stack(app, 'Team');
Validations.of(team).acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'Test functions with the basic execution role.' });
const inline = (id: string) => new LambdaFunction(team, id, { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => {}') });
stack.runledger.addObserver(inline('Pager'), { name: 'pager', filter: { types: ['run.failed'] }, required: true, timeout: Duration.minutes(2) });
stack.runledger.addObserver(inline('Audit'), { name: 'audit', filter: { preset: 'minimal' } });
// Synthesis runs cdk-nag over both stacks: it throws on any unacknowledged finding.
app.synth();
const template = Template.fromStack(stack);

const { resources, resource, targetOf, functionWith, policyStatementsOf, expectQueuedDelivery } = inspectTemplate(template);
const teamTemplate = Template.fromStack(team);
const inTeam = inspectTemplate(teamTemplate);

describe('required observers: a day of retries on any failure, then a dead-letter queue with an alarm', () => {
  const required = OBSERVERS.filter((observer) => observer.required && observer.target.kind === 'function');

  it.each(required.map((observer) => [observer.name, observer]))('built-in %s consumes its own delivery queue through its SQS entry', (_name, observer) => {
    if (observer.target.kind !== 'function') throw new Error('not a function');
    const [id, fn] = functionWith(observer.target.handler);
    expect(fn.Properties.Handler).toBe('index.sqsHandler');
    expectQueuedDelivery(observer.name, id, Duration.seconds(Number(fn.Properties.Timeout)));
  });

  it('an observer of your own gets the EventBridge event through a dispatcher that invokes it and nothing else', () => {
    const [dispatcherId, dispatcher] = inTeam.functionWith('dispatch-observer');
    const [pagerId] = Object.keys(teamTemplate.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('Pager'));
    expect(dispatcher.Properties).toMatchObject({ Handler: 'index.handler', Timeout: 120, Environment: { Variables: { RUNLEDGER_OBSERVER_FUNCTION: { 'Fn::GetAtt': [pagerId, 'Arn'] } } } });
    inTeam.expectQueuedDelivery('pager', dispatcherId, Duration.minutes(2), { 'Fn::ImportValue': expect.stringMatching(/AlertTopic/) });
    const invoke = inTeam.policyStatementsOf(dispatcherId).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('lambda:')));
    expect(invoke).toEqual([expect.objectContaining({ Action: 'lambda:InvokeFunction' })]);
    expect(refOf(invoke[0]?.Resource)).toBe(pagerId);
    // No async invoke of the user's function by the rule: EventBridge has no permission to call it.
    const permissions = Object.values(teamTemplate.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'events.amazonaws.com' } }));
    expect(JSON.stringify(permissions)).not.toMatch(/Pager/);
  });

  it('the archive keeps its Firehose target: the rule retries for a day and dead-letters what Firehose never accepted', () => {
    const archive = OBSERVERS.find((observer) => observer.target.kind === 'archive');
    expect(archive?.required).toBe(true);
    const target = targetOf(archive?.name ?? '');
    expect(JSON.stringify(target.Arn)).toMatch(/ArchiveStream/);
    expect(target).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 }, DeadLetterConfig: { Arn: expect.anything() } });
  });
});

describe('optional observers: a few retries, then a logged failure', () => {
  it.each(OBSERVERS.filter((observer) => !observer.required && observer.target.kind === 'function').map((observer) => [observer.name, observer]))(
    'built-in %s is a direct target with two rule retries and two Lambda retries within the hour',
    (_name, observer) => {
      if (observer.target.kind !== 'function') throw new Error('not a function');
      const [id, fn] = functionWith(observer.target.handler);
      expect(fn.Properties.Handler).toBe('index.handler');
      const target = targetOf(observer.name);
      expect(refOf(target.Arn)).toBe(id);
      expect(target).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3_600 } });
      expect(target.DeadLetterConfig).toBeUndefined();
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id }, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3_600 });
    },
  );

  it('an optional observer of your own is a direct target with the rule retrying twice, and no queue', () => {
    const target = inTeam.targetOf('audit');
    expect(JSON.stringify(target.Arn)).toMatch(/Audit/);
    expect(target).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3_600 } });
    expect(target.DeadLetterConfig).toBeUndefined();
  });
});

describe('stale-run detector', () => {
  it('is retried by neither the rule nor Lambda: the next pass covers the same runs', () => {
    const [id] = functionWith('detect-stale-runs');
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })] });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id }, Qualifier: '$LATEST', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
  });
});

describe('relay failures redrive', () => {
  it('runs every 5 minutes, retried by neither the rule nor Lambda: the next pass covers the same failures', () => {
    const [id, fn] = functionWith('redrive-relay-failures');
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 } })] });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id }, Qualifier: '$LATEST', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });
    // A pass has the timeout less the handler's 30 s reserve, and ends before the next one starts.
    expect(fn.Properties.Timeout).toBe(120);
  });

  it('reads the relay’s failures queue, the run partitions of the table and puts on the bus, and may do nothing else', () => {
    const [id, fn] = functionWith('redrive-relay-failures');
    const [relayId, relay] = functionWith('relay');
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const queueId = refOf(variables.RUNLEDGER_RELAY_FAILURES_QUEUE_URL);
    expect(queueId).toBe(refOf((relay.Properties.Environment as { Variables: Record<string, unknown> }).Variables.RUNLEDGER_RELAY_FAILURES_QUEUE_URL));
    expect(relayId).not.toBe(id);
    const [busId] = resources('AWS::Events::EventBus')[0] ?? [];
    expect(refOf(variables.RUNLEDGER_EVENT_BUS_NAME)).toBe(busId);
    const [tableId] = resources('AWS::DynamoDB::GlobalTable')[0] ?? [];
    expect(refOf(variables.RUNLEDGER_TABLE_NAME)).toBe(tableId);

    const statements = policyStatementsOf(id) as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>;
    const granted = (prefix: string) => statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith(prefix)));
    expect(statements.flatMap((statement) => [statement.Action].flat()).filter((action) => !/^(logs|xray):/.test(action)).sort()).toEqual(
      ['dynamodb:Query', 'events:PutEvents', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
    );
    const [sqs] = granted('sqs:');
    expect(refOf(sqs?.Resource)).toBe(queueId);
    const [events] = granted('events:');
    expect(refOf(events?.Resource)).toBe(busId);
    // The table itself, no index, and only partitions of run items (T#...): not API keys or alert claims.
    const [query] = granted('dynamodb:');
    expect([query?.Resource].flat()).toHaveLength(1);
    expect(refOf([query?.Resource].flat()[0])).toBe(tableId);
    expect(query?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['T#*'] } });
  });

  it('alarms on the function’s errors, to the alert topic', () => {
    const [id] = functionWith('redrive-relay-failures');
    const alarm = resources('AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.MetricName === 'Errors' && JSON.stringify(a.Properties.Dimensions ?? []).includes(`"${id}"`));
    expect(alarm?.[1].Properties).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 1, Period: 300, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: expect.stringMatching(/AlertTopic/) }] });
  });
});

describe('alert topic', () => {
  it('is encrypted with a rotated customer-managed key that CloudWatch alarms and EventBridge may use', () => {
    const [[topicId, topic] = []] = resources('AWS::SNS::Topic');
    const keyId = refOf(topic?.Properties.KmsMasterKeyId);
    const key = resource(keyId);
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const statements = (key.Properties.KeyPolicy as { Statement: Array<{ Principal?: { Service?: unknown }; Action: string | string[] }> }).Statement;
    const services = statements.find((statement) => statement.Principal?.Service !== undefined);
    expect([services?.Principal?.Service].flat().sort()).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    expect([services?.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    // Every alarm, the dead-letter ones included, goes to that topic.
    for (const [, alarm] of resources('AWS::CloudWatch::Alarm')) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('lets the alerting observer use the key to publish', () => {
    const [id] = functionWith('alerting-observer');
    const kms = policyStatementsOf(id).find((statement) => [statement.Action].flat().includes('kms:GenerateDataKey*'));
    expect(refOf(kms?.Resource)).toBe(refOf(resources('AWS::SNS::Topic')[0]?.[1].Properties.KmsMasterKeyId));
  });
});

describe('relay failures', () => {
  it('lets the relay keep what it could not publish in its failures queue, and outputs what the dlq command needs', () => {
    const [id, relay] = functionWith('relay');
    const queueId = refOf((relay.Properties.Environment as { Variables: Record<string, unknown> }).Variables.RUNLEDGER_RELAY_FAILURES_QUEUE_URL);
    expect(resource(queueId).Type).toBe('AWS::SQS::Queue');
    const send = policyStatementsOf(id).find((statement) => [statement.Action].flat().includes('sqs:SendMessage'));
    expect(refOf(send?.Resource)).toBe(queueId);
    template.hasOutput('RelayFailuresQueueUrl', { Value: { Ref: queueId } });
    template.hasOutput('RelayStreamFailuresQueueUrl', {});
    template.hasOutput('TableName', {});
    template.hasOutput('BusName', {});
  });

  it('alarms on kept failures only when they outlast two passes of the automatic redrive (three 5-minute periods)', () => {
    const queueId = refOf((functionWith('relay')[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables.RUNLEDGER_RELAY_FAILURES_QUEUE_URL);
    const alarms = resources('AWS::CloudWatch::Alarm').filter(([, a]) => JSON.stringify(a.Properties.Dimensions ?? []).includes(`"${queueId}"`));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.[1].Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Period: 300, EvaluationPeriods: 3, Threshold: 1, Statistic: 'Minimum' });
  });

  it('keeps the stream mapping’s on-failure queue as the last resort, in its own alarmed queue', () => {
    const [id] = functionWith('relay');
    const [, mapping] = resources('AWS::Lambda::EventSourceMapping').find(([, m]) => refOf(m.Properties.FunctionName) === id) ?? [];
    const destination = refOf((mapping?.Properties.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination);
    expect(destination).toMatch(/RelayStreamFailures/);
    expect(resources('AWS::CloudWatch::Alarm').some(([, a]) => JSON.stringify(a.Properties.Dimensions ?? []).includes(`"${destination}"`))).toBe(true);
  });

  it('outputs every required observer’s dead-letter and delivery queues, those added with addObserver included', () => {
    const output = template.findOutputs('ObserverQueues').ObserverQueues as { Value: unknown };
    const text = JSON.stringify(output.Value);
    for (const name of [...OBSERVERS.filter((observer) => observer.required).map((observer) => observer.name), 'pager']) expect(text).toContain(`\\"name\\":\\"${name}\\"`);
    expect(text).not.toContain('\\"name\\":\\"audit\\"');
  });
});
