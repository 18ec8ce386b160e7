import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { RUN_PK_PREFIX, WEBHOOK_PK_PREFIX } from '#adapters/dynamodb/keys.ts';
import { buildApp } from '#infra/app.ts';
import { inspectTemplate, refOf } from './delivery-support.ts';
import { context } from './support.ts';

/** The webhook side in AWS, on the stack as `cdk synth` builds it (cdk-nag included), with one observer of another stack. */
const app = new App({ context: context({ stage: 'prod' }) });
const { stack } = buildApp(app);
const team = new Stack(app, 'Team');
Validations.of(team).acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'Test functions with the basic execution role.' });
const billing = new LambdaFunction(team, 'Billing', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => {}') });
stack.runledger.addObserver(billing, { name: 'billing', filter: { types: ['run.completed'] }, required: true, timeout: Duration.minutes(1) });
app.synth();
const template = Template.fromStack(stack);
const { resources, resource, functionWith, policyStatementsOf, expectQueuedDelivery } = inspectTemplate(template);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
const actionsOf = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
const webhookItemStatements = (functionId: string) =>
  (policyStatementsOf(functionId) as Statement[]).filter((statement) => JSON.stringify(statement.Condition ?? {}).includes(`"${WEBHOOK_PK_PREFIX}*"`));

const [workerId, worker] = functionWith('deliver-webhooks', { RUNLEDGER_WEBHOOK_TIMEOUT_MS: '10000' });
const [fanOutId] = resources('AWS::Lambda::Function').find(([, fn]) => fn.Properties.Handler === 'index.fanOut') ?? [];

describe('webhook deliveries in AWS', () => {
  it('fans every event out through a required observer: its own delivery queue, a day of retries, a dead-letter queue with an alarm', () => {
    expect(fanOutId).toBeDefined();
    expectQueuedDelivery('webhooks', fanOutId ?? '', Duration.seconds(30));
    // It reads subscriptions (W# items, read only) and puts jobs on the job queue.
    expect(webhookItemStatements(fanOutId ?? '').flatMap(actionsOf).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
  });

  it('sends jobs from a queue with partial batch failures and a dead-letter queue, and may send retries back to it only', () => {
    const mapping = resources('AWS::Lambda::EventSourceMapping').find(([, m]) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: workerId }));
    if (mapping === undefined) throw new Error(`no mapping for ${workerId}: ${JSON.stringify(resources('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties.FunctionName))}`);
    expect(mapping[1].Properties).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const queueId = refOf(mapping[1].Properties.EventSourceArn);
    expect(resource(queueId).Properties).toMatchObject({ SqsManagedSseEnabled: true, RedrivePolicy: { maxReceiveCount: 5 } });
    // The visibility timeout covers a whole batch (the worker's timeout) several times over.
    expect(Number(resource(queueId).Properties.VisibilityTimeout)).toBeGreaterThanOrEqual(Number(worker.Properties.Timeout) * 6);
    const sends = (policyStatementsOf(workerId) as Statement[]).filter((statement) => actionsOf(statement).includes('sqs:SendMessage'));
    expect(sends.map((statement) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    // Subscriptions and the ledger (W# items); of the runs, only a Query of run items (a replay reads the run's events).
    const tableStatements = (policyStatementsOf(workerId) as Statement[]).filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(tableStatements).toHaveLength(2);
    const webhookItems = tableStatements.filter((statement) => JSON.stringify(statement.Condition) === JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${WEBHOOK_PK_PREFIX}*`] } }));
    expect(webhookItems).toHaveLength(1);
    expect(actionsOf(webhookItems[0] ?? { Action: [], Resource: '' })).not.toContain('dynamodb:Scan');
    const runItems = tableStatements.filter((statement) => JSON.stringify(statement.Condition) === JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${RUN_PK_PREFIX}*`] } }));
    expect(runItems).toHaveLength(1);
    expect(actionsOf(runItems[0] ?? { Action: [], Resource: '' })).toEqual(['dynamodb:Query']);
    // The table itself: no index, so no other tenant-wide view of runs.
    expect(runItems[0]?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Table/), 'Arn'] });
  });

  it('stops a replay slice well inside the worker\'s timeout: the slice, one more send and 10 s of ledger and queue calls fit it', () => {
    const environment = (worker.Properties.Environment as { Variables: Record<string, string> }).Variables;
    const sliceMs = Number(environment.RUNLEDGER_WEBHOOK_REPLAY_SLICE_MS);
    expect(sliceMs).toBeGreaterThanOrEqual(1000);
    expect(sliceMs + Number(environment.RUNLEDGER_WEBHOOK_TIMEOUT_MS) + 10_000).toBeLessThanOrEqual(Number(worker.Properties.Timeout) * 1000);
  });

  it('alarms on dead deliveries, worker errors, old jobs and the job dead-letter queue, to the alert topic', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.message = "webhook delivery dead" }', MetricTransformations: [Match.objectLike({ MetricName: 'WebhookDeliveriesDead', MetricNamespace: 'runledger/prod' })] });
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const topic = { Ref: expect.stringMatching(/AlertTopic/) };
    expect(alarms).toContainEqual(expect.objectContaining({ MetricName: 'WebhookDeliveriesDead', Namespace: 'runledger/prod', Threshold: 1, AlarmActions: [topic] }));
    expect(alarms).toContainEqual(expect.objectContaining({ MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 3600, AlarmActions: [topic] }));
    expect(alarms).toContainEqual(expect.objectContaining({ MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: workerId } }], AlarmActions: [topic] }));
  });

  it('gives the subscription routes the W# items only, and the ledger route read access only', () => {
    const [manageId] = functionWith('manage-subscriptions');
    const [ledgerId] = functionWith('list-deliveries');
    expect(webhookItemStatements(manageId).flatMap(actionsOf).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
    expect((policyStatementsOf(manageId) as Statement[]).filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')))).toHaveLength(1);
    expect(webhookItemStatements(ledgerId).flatMap(actionsOf).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
  });

  it('lets an observer added with addObserver, in another stack, write its ledger items and nothing else of the table', () => {
    const teamTemplate = Template.fromStack(team);
    teamTemplate.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ RUNLEDGER_TABLE_NAME: Match.anyValue() }) } });
    teamTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'], Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${WEBHOOK_PK_PREFIX}*`] } } }),
        ]),
      },
    });
  });
});
