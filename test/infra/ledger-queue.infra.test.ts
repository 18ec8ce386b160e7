import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { ledgerPk } from '#adapters/dynamodb/keys.ts';
import { buildApp } from '#infra/app.ts';
import { LEDGER_BATCHING } from '#infra/constructs/ledger-queue.ts';
import { inspectTemplate, refOf } from './delivery-support.ts';
import { context } from './support.ts';

/**
 * The ledger queue in AWS, on the app as `cdk synth` builds it (cdk-nag runs at synth and throws on
 * any finding), bundling skipped: observers of RunLedger's own stack, of another stack, and imported.
 */
const app = new App({ context: context({ stage: 'prod', 'aws:cdk:bundling-stacks': [] }) });
const { stack } = buildApp(app);
const BASIC_ROLE = { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'Test functions with the basic execution role.' };
const inline = (scope: Stack, id: string) => {
  const fn = new LambdaFunction(scope, id, { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => {}') });
  Validations.of(fn).acknowledge(BASIC_ROLE);
  return fn;
};
const team = new Stack(app, 'Team');
stack.runledger.addObserver(inline(team, 'Billing'), { name: 'billing', filter: { types: ['run.completed'] } });
stack.runledger.addObserver(inline(team, 'Pager'), { name: 'pager', filter: { types: ['run.failed'] }, required: true });
stack.runledger.addObserver(inline(stack, 'OwnAudit'), { name: 'own-audit', filter: { preset: 'minimal' } });
const imported = LambdaFunction.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:elsewhere');
stack.runledger.addObserver(imported, { name: 'imported', filter: { preset: 'minimal' } });
const assembly = app.synth();

const template = Template.fromStack(stack);
const teamTemplate = Template.fromStack(team);
const { resources, resource, functionWith, policyStatementsOf } = inspectTemplate(template);

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect?: string };
const actionsOf = (statement: Statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]);
const [writerId, writer] = functionWith('write-ledger');
const mapping = resources('AWS::Lambda::EventSourceMapping').find(([, m]) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: writerId }));
const queueId = refOf(mapping?.[1].Properties.EventSourceArn) ?? '';
const deadLettersId = refOf((resource(queueId).Properties.RedrivePolicy as { deadLetterTargetArn: unknown } | undefined)?.deadLetterTargetArn) ?? '';
const functionIdOf = (prefix: string) => Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith(prefix)) ?? '';
const sendStatements = (statements: Statement[]) => statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')));

describe('the ledger queue in AWS', () => {
  it('is drained by the ledger writer in large batches with partial batch failures', () => {
    expect(mapping?.[1].Properties).toMatchObject({
      BatchSize: LEDGER_BATCHING.batchSize,
      MaximumBatchingWindowInSeconds: LEDGER_BATCHING.maxBatchingWindow.toSeconds(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(LEDGER_BATCHING.batchSize).toBeGreaterThanOrEqual(1000);
    expect(resource(queueId).Type).toBe('AWS::SQS::Queue');
    expect(Number(resource(queueId).Properties.VisibilityTimeout)).toBeGreaterThanOrEqual(Number(writer.Properties.Timeout) * 6);
  });

  it('is encrypted, refuses plain HTTP, and moves a message the writer failed on five times to its dead-letter queue', () => {
    for (const id of [queueId, deadLettersId]) expect(resource(id).Properties).toMatchObject({ SqsManagedSseEnabled: true });
    expect(resource(queueId).Properties).toMatchObject({ RedrivePolicy: { maxReceiveCount: 5 } });
    expect(resource(deadLettersId).Properties).toMatchObject({ MessageRetentionPeriod: 14 * 86_400 });
    for (const id of [queueId, deadLettersId]) {
      const policy = resources('AWS::SQS::QueuePolicy').find(([, p]) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: id }]));
      expect(policy?.[1].Properties.PolicyDocument).toMatchObject({ Statement: expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) });
    }
  });

  it('lets the writer add to runs’ delivered blocks only: UpdateItem on W#<tenant>#R#<run> items, no index, nothing else of the table', () => {
    const tableStatements = (policyStatementsOf(writerId) as Statement[]).filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
    expect(tableStatements).toHaveLength(1);
    expect(actionsOf(tableStatements[0] ?? { Action: [], Resource: '' })).toEqual(['dynamodb:UpdateItem']);
    expect(tableStatements[0]?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [ledgerPk('*', '*')] } });
    expect(JSON.stringify(tableStatements[0]?.Resource)).not.toContain('/index/');
    // It consumes the queue (the event source mapping's grant) and sends nothing anywhere.
    expect(sendStatements(policyStatementsOf(writerId) as Statement[]).flatMap(actionsOf)).not.toContain('sqs:SendMessage');
  });

  it('alarms on the writer’s errors and on the dead-letter queue, to the alert topic', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const topic = { Ref: expect.stringMatching(/AlertTopic/) };
    expect(alarms).toContainEqual(expect.objectContaining({ MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: writerId } }], Threshold: 1, AlarmActions: [topic] }));
    expect(alarms).toContainEqual(
      expect.objectContaining({ MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLettersId, 'QueueName'] } }], Threshold: 1, AlarmActions: [topic] }),
    );
  });

  it('gives the built-in observers and an observer of RunLedger’s stack the queue’s URL and sqs:SendMessage on that queue only', () => {
    for (const [id, fn] of [functionWith('metrics-observer'), functionWith('alerting-observer'), [functionIdOf('OwnAudit'), resource(functionIdOf('OwnAudit'))] as const]) {
      expect(fn.Properties.Environment).toMatchObject({ Variables: { RUNLEDGER_LEDGER_QUEUE_URL: { Ref: queueId } } });
      const onLedgerQueue = (policyStatementsOf(id) as Statement[]).filter((statement) => JSON.stringify(statement.Resource).includes(`"${queueId}"`));
      expect(onLedgerQueue).toEqual([expect.objectContaining({ Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } })]);
      // And it may send to no other queue (alerting consumes its own delivery queue: no SendMessage there).
      expect(sendStatements(policyStatementsOf(id) as Statement[]).filter((statement) => actionsOf(statement).includes('sqs:SendMessage'))).toHaveLength(1);
    }
  });

  it('gives an observer of another stack the same, imported from RunLedger’s stack, which refers to nothing of that stack', () => {
    const teamFunctions = Object.entries(teamTemplate.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('Billing') || id.startsWith('Pager'));
    expect(teamFunctions).toHaveLength(2);
    const imports = { 'Fn::ImportValue': expect.stringMatching(/LedgerQueue/) };
    for (const [, fn] of teamFunctions) expect((fn as { Properties: { Environment: unknown } }).Properties.Environment).toMatchObject({ Variables: { RUNLEDGER_LEDGER_QUEUE_URL: imports } });
    const teamStatements = Object.values(teamTemplate.findResources('AWS::IAM::Policy')).flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
    const sends = teamStatements.filter((statement) => actionsOf(statement).includes('sqs:SendMessage') && JSON.stringify(statement.Resource).includes('LedgerQueue'));
    expect(sends).toHaveLength(2);
    for (const statement of sends) expect(actionsOf(statement)).toEqual(['sqs:SendMessage']);
    expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    expect(assembly.getStackByName(stack.stackName).dependencies.map((dependency) => dependency.id)).not.toContain('Team');
  });

  it('subscribes an imported function all the same (its owner sets the environment and grant: docs/observers.md)', () => {
    const target = resources('AWS::Events::Rule').find(([, rule]) => rule.Properties.Description === 'runledger observer imported');
    expect(JSON.stringify(target?.[1].Properties.Targets)).toContain('function:elsewhere');
  });
});
