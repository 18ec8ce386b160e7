import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MockIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { RUN_INDEXES } from '#adapters/dynamodb/table-definition.ts';
import { buildApp } from '#infra/app.ts';
import { ObserverAlarms } from '#infra/constructs/alarm.ts';
import { API_5XX_MIN_ERRORS, API_5XX_MIN_REQUESTS, Operations } from '#infra/constructs/operations.ts';
import { ArchiveStream } from '#infra/constructs/archive-stream.ts';
import { context } from './support.ts';

/**
 * Monitoring on the stack as `cdk synth` builds it (cdk-nag included), with two observers added
 * after construction from another team's stack: a required one (queue, dispatcher, dead-letter
 * queue) and an optional one.
 */
const app = new App({ context: context({ stage: 'prod' }) });
const { stack } = buildApp(app);
const team = new Stack(app, 'Team');
Validations.of(team).acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'Test functions with the basic execution role.' });
const inline = (scope: Stack, id: string) => new LambdaFunction(scope, id, { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => {}') });
stack.runledger.addObserver(inline(team, 'Pager'), { name: 'pager', filter: { types: ['run.failed'] }, required: true, timeout: Duration.minutes(2) });
stack.runledger.addObserver(inline(team, 'Audit'), { name: 'audit', filter: { preset: 'minimal' } });
app.synth();
const template = Template.fromStack(stack);
/** Observers of another stack's functions are built in that stack (observer-rules.ts), alarms included. */
const teamTemplate = Template.fromStack(team);

type Resource = { Type: string; Properties: Record<string, unknown> };
type MetricStat = { Metric: { MetricName: string; Namespace: string; Dimensions?: Array<{ Name: string; Value: unknown }> }; Stat: string };
type AlarmProperties = {
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  AlarmActions: unknown[];
  Metrics?: Array<{ Id: string; Expression?: string; MetricStat?: MetricStat }>;
};
const resources = (of: Template, type: string): Array<[string, Resource]> => Object.entries(of.findResources(type)) as Array<[string, Resource]>;
const alarmsOf = (of: Template): Array<[string, AlarmProperties]> => resources(of, 'AWS::CloudWatch::Alarm').map(([id, alarm]) => [id, alarm.Properties as AlarmProperties]);
const alarms = alarmsOf(template);
/** Alarms on one metric, by name, whose dimensions mention `ref` (a logical id) when given. */
const alarmsOn = (metricName: string, ref?: string, of: Array<[string, AlarmProperties]> = alarms) =>
  of.filter(([, alarm]) => alarm.MetricName === metricName && (ref === undefined || JSON.stringify(alarm.Dimensions).includes(`"${ref}"`)));

type Widget = { type: string; properties: { title?: string; metrics?: unknown[][]; alarms?: string[] } };
/** The dashboard body with each reference written as the logical id it names (`X`, `X.Arn`), parsed. */
function dashboardWidgets(): Widget[] {
  const body = resources(template, 'AWS::CloudWatch::Dashboard')[0]?.[1].Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      if (typeof part === 'object' && part !== null && 'Ref' in part) return String(part.Ref);
      if (typeof part === 'object' && part !== null && 'Fn::GetAtt' in part && Array.isArray(part['Fn::GetAtt'])) return part['Fn::GetAtt'].join('.');
      throw new Error(`unexpected part ${JSON.stringify(part)}`);
    })
    .join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}
const widgets = dashboardWidgets();
const widget = (title: string | RegExp): Widget => {
  const found = widgets.find((candidate) => (typeof title === 'string' ? candidate.properties.title === title : title.test(candidate.properties.title ?? '')));
  if (found === undefined) throw new Error(`no widget ${String(title)} in ${widgets.map((candidate) => candidate.properties.title).join(', ')}`);
  return found;
};
/** `Namespace MetricName dimension-values...` of each plain metric of a widget. */
const graphed = (title: string | RegExp): string[] => (widget(title).properties.metrics ?? []).filter((row) => typeof row[0] === 'string').map((row) => row.filter((cell) => typeof cell === 'string').join(' '));
const expressions = (title: string | RegExp): string[] =>
  (widget(title).properties.metrics ?? []).flatMap((row) => row.flatMap((cell) => (typeof cell === 'object' && cell !== null && 'expression' in cell ? [String(cell.expression)] : [])));

describe('error alarms on every function', () => {
  const functions = resources(template, 'AWS::Lambda::Function');

  it('has one Errors alarm per function of the stack, to the alert topic: routes, authorizer, relay, redrive, stale-run detector, observers', () => {
    expect(functions.length).toBeGreaterThanOrEqual(16);
    for (const [id] of functions) {
      const found = alarmsOn('Errors', id);
      expect(found, `alarms on ${id}`).toHaveLength(1);
      expect(found[0]?.[1]).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: expect.stringMatching(/AlertTopic/) }] });
    }
  });

  it('covers the dispatcher that addObserver created after construction, in the observer function’s own stack', () => {
    const [dispatcher] = resources(teamTemplate, 'AWS::Lambda::Function').find(([, fn]) => (JSON.stringify(fn.Properties.Environment) ?? '').includes('RUNLEDGER_OBSERVER_FUNCTION')) ?? [];
    expect(dispatcher).toBeDefined();
    expect(alarmsOn('Errors', dispatcher, alarmsOf(teamTemplate))).toHaveLength(1);
  });

  it('graphs every function’s errors on the dashboard', () => {
    expect(graphed('Function errors').sort()).toEqual(functions.map(([id]) => `AWS/Lambda Errors FunctionName ${id}`).sort());
  });
});

describe('observer delivery alarms', () => {
  const rules = resources(template, 'AWS::Events::Rule').filter(([, rule]) => String(rule.Properties.Description).startsWith('runledger observer '));

  it('alarm on FailedInvocations and InvocationsFailedToBeSentToDlq of every observer rule, built-in and added (in the added one’s stack)', () => {
    const teamRules = resources(teamTemplate, 'AWS::Events::Rule');
    expect(rules.map(([, rule]) => rule.Properties.Description)).toEqual(expect.arrayContaining(['runledger observer metrics', 'runledger observer alerting']));
    expect(teamRules.map(([, rule]) => rule.Properties.Description)).toEqual(expect.arrayContaining(['runledger observer pager', 'runledger observer audit']));
    const checks: Array<[string, Array<[string, AlarmProperties]>]> = [...rules.map(([id]): [string, Array<[string, AlarmProperties]>] => [id, alarms]), ...teamRules.map(([id]): [string, Array<[string, AlarmProperties]>] => [id, alarmsOf(teamTemplate)])];
    for (const [id, of] of checks) {
      for (const metricName of ['FailedInvocations', 'InvocationsFailedToBeSentToDlq']) {
        const found = alarmsOn(metricName, id, of);
        expect(found, `${metricName} of ${id}`).toHaveLength(1);
        expect(found[0]?.[1]).toMatchObject({ Namespace: 'AWS/Events', Statistic: 'Sum', Threshold: 1 });
      }
    }
  });

  it('graphs lost deliveries per rule, and every rule on the bus by search so rules of other stacks show too', () => {
    expect(graphed('Observer events lost (dead-letter queue refused)').sort()).toEqual(rules.map(([id]) => `AWS/Events InvocationsFailedToBeSentToDlq RuleName ${id}`).sort());
    expect(graphed('Observer failed deliveries')).toHaveLength(rules.length);
    const [bus] = resources(template, 'AWS::Events::EventBus')[0] ?? [];
    expect(expressions(/^Every rule on the bus/)).toEqual([`SEARCH('{AWS/Events,EventBusName,RuleName} EventBusName="${bus}" MetricName="FailedInvocations"', 'Sum', 300)`]);
  });

  it('work from the observer’s own stack: the alarms live there and only import the alert topic, with no cycle', () => {
    const cross = new App();
    const platform = new Stack(cross, 'Platform');
    const bus = new EventBus(platform, 'Bus');
    const topic = new Topic(platform, 'Alerts');
    const consumer = new Stack(cross, 'Consumer');
    const rule = new Rule(consumer, 'Rule', { eventBus: bus, eventPattern: { source: ['runledger'] } });
    new ObserverAlarms(consumer, 'Alarms', { name: 'mine', rule, dispatcher: inline(consumer, 'Dispatcher') }, topic);
    const assembly = cross.synth();
    const consumerAlarms = alarmsOf(Template.fromStack(consumer));
    expect(consumerAlarms.map(([, alarm]) => alarm.MetricName).sort()).toEqual(['Errors', 'FailedInvocations', 'InvocationsFailedToBeSentToDlq']);
    for (const [, alarm] of consumerAlarms) expect(JSON.stringify(alarm.AlarmActions)).toContain('Fn::ImportValue');
    expect(Template.fromStack(platform).findResources('AWS::CloudWatch::Alarm')).toEqual({});
    const stacksBefore = (name: string) => assembly.getStackByName(name).dependencies.map((dependency) => dependency.id).filter((id) => !id.endsWith('.assets'));
    expect(stacksBefore('Consumer')).toEqual(['Platform']);
    expect(stacksBefore('Platform')).toEqual([]);
  });
});

describe('DynamoDB throttles', () => {
  it('alarm on throttled requests of every call the functions make', () => {
    const [[, alarm] = []] = alarms.filter(([id]) => id.includes('TableThrottledRequests'));
    const operations = (alarm?.Metrics ?? []).flatMap((metric) => metric.MetricStat?.Metric.Dimensions?.filter((dimension) => dimension.Name === 'Operation').map((dimension) => dimension.Value) ?? []);
    expect(operations.sort()).toEqual(['BatchGetItem', 'BatchWriteItem', 'GetItem', 'PutItem', 'Query', 'TransactWriteItems', 'UpdateItem']);
    expect(alarm?.Metrics?.every((metric) => metric.MetricStat === undefined || metric.MetricStat.Metric.MetricName === 'ThrottledRequests')).toBe(true);
  });

  it('alarm on read and write throttle events of the table and of each global index', () => {
    const [[, alarm] = []] = alarms.filter(([id]) => id.includes('TableThrottleEvents'));
    const stats = (alarm?.Metrics ?? []).flatMap((metric) => (metric.MetricStat === undefined ? [] : [metric.MetricStat]));
    const indexOf = (stat: MetricStat) => {
      const value = stat.Metric.Dimensions?.find((dimension) => dimension.Name === 'GlobalSecondaryIndexName')?.Value;
      return typeof value === 'string' ? value : 'table';
    };
    expect(stats.map((stat) => `${indexOf(stat)} ${stat.Metric.MetricName}`).sort()).toEqual(
      ['table', ...RUN_INDEXES.map((index) => index.name)].flatMap((name) => [`${name} ReadThrottleEvents`, `${name} WriteThrottleEvents`]).sort(),
    );
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(graphed('DynamoDB throttles').filter((metric) => metric.includes('ThrottleEvents'))).toHaveLength(2 + 2 * RUN_INDEXES.length);
  });
});

describe('API 5xx alarm', () => {
  it('is graphed beside the 4xx and 5xx counts', () => {
    expect(graphed(/^API errors/).map((metric) => metric.split(' ')[1])).toEqual(['4XXError', '5XXError', 'Count']);
    expect(expressions(/^API errors/)).toEqual([expect.stringMatching(/^IF\(requests >= /)]);
  });

  const [[, alarm] = []] = alarms.filter(([id]) => id.includes('ApiServerErrorRate'));
  const expression = alarm?.Metrics?.find((metric) => metric.Expression !== undefined)?.Expression ?? '';

  it('pages on a rate only over a minimum of requests, and on a burst of errors however quiet the stage', () => {
    expect(expression).toBe(`IF(requests >= ${API_5XX_MIN_REQUESTS}, 100 * errors / requests, IF(errors >= ${API_5XX_MIN_ERRORS}, 100, 0))`);
    expect(alarm?.Threshold).toBe(1);
    expect(alarm?.Metrics?.flatMap((metric) => (metric.MetricStat === undefined ? [] : [`${metric.Id}=${metric.MetricStat.Metric.MetricName}`])).sort()).toEqual(['errors=5XXError', 'requests=Count']);
  });

  it('means what it says: one error in three requests stays quiet, 2 in 200 pages, 10 in 20 pages', () => {
    // The expression's semantics, evaluated as CloudWatch does (IF(cond, a, b)).
    const evaluate = (errors: number, requests: number) => (requests >= API_5XX_MIN_REQUESTS ? (100 * errors) / requests : errors >= API_5XX_MIN_ERRORS ? 100 : 0);
    const pages = (errors: number, requests: number) => evaluate(errors, requests) >= (alarm?.Threshold ?? Number.NaN);
    expect(pages(1, 3)).toBe(false);
    expect(pages(2, 200)).toBe(true);
    expect(pages(1, 200)).toBe(false);
    expect(pages(10, 20)).toBe(true);
  });
});

describe('access logs', () => {
  it('write one JSON line per request with the tenant from the authorizer and both request ids', () => {
    const [[, stage] = []] = resources(template, 'AWS::ApiGateway::Stage');
    const setting = stage?.Properties.AccessLogSetting as { Format: string; DestinationArn: unknown };
    const format: unknown = JSON.parse(setting.Format);
    expect(format).toMatchObject({
      tenant: '$context.authorizer.tenantId',
      requestId: '$context.requestId',
      extendedRequestId: '$context.extendedRequestId',
      status: '$context.status',
      resourcePath: '$context.resourcePath',
      responseLatencyMs: '$context.responseLatency',
    });
  });
});

describe('archive delivery (Firehose)', () => {
  const firehose = (of: Array<[string, AlarmProperties]>, metricName: string) => of.filter(([, alarm]) => alarm.Namespace === 'AWS/Firehose' && alarm.MetricName === metricName).map(([, alarm]) => alarm);

  it('alarms when data waits over six buffer intervals, or an S3 put fails', () => {
    expect(firehose(alarms, 'DeliveryToS3.DataFreshness')).toEqual([expect.objectContaining({ Statistic: 'Maximum', Threshold: 1_800, ComparisonOperator: 'GreaterThanOrEqualToThreshold' })]);
    expect(firehose(alarms, 'DeliveryToS3.Success')).toEqual([expect.objectContaining({ Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold' })]);
  });

  it('alarms at 80% of the active-partition quota and when it is exceeded (records then go under errors/)', () => {
    expect(firehose(alarms, 'PartitionCount')).toEqual([expect.objectContaining({ Statistic: 'Maximum', Threshold: 400 })]);
    expect(firehose(alarms, 'PartitionCountExceeded')).toEqual([expect.objectContaining({ Statistic: 'Maximum', Threshold: 1 })]);
    const [stream] = resources(template, 'AWS::KinesisFirehose::DeliveryStream')[0] ?? [];
    expect([...graphed('Archive delivery'), ...graphed(/^Archive partitions/)]).toEqual(
      ['DeliveryToS3.DataFreshness', 'DeliveryToS3.Success', 'PartitionCount', 'PartitionCountExceeded'].map((metricName) => `AWS/Firehose ${metricName} DeliveryStreamName ${stream}`),
    );
  });

  it('follows a raised quota', () => {
    // Operations and the stream alone, in a bare stack: no function bundling for this one number.
    const bare = new Stack(new App(), 'Bare');
    const api = new RestApi(bare, 'Api');
    api.root.addMethod('GET', new MockIntegration());
    const operations = new Operations(bare, 'Operations', { stage: 'test', api, ingest: inline(bare, 'Ingest') });
    const archive = new ArchiveStream(bare, 'Archive', { bucket: new Bucket(bare, 'Bucket') });
    operations.monitorArchive(archive.stream, { partitioning: 'tenant', activePartitionsQuota: 2_000, bufferInterval: archive.bufferInterval });
    expect(firehose(alarmsOf(Template.fromStack(bare)), 'PartitionCount')).toEqual([expect.objectContaining({ Threshold: 1_600 })]);
  });

  it('partitions by date only when told, and then has no partition-quota alarm but the exceeded one', () => {
    const byDate = new App({ context: context({ archivePartitioning: 'date' }) });
    const byDateTemplate = Template.fromStack(buildApp(byDate).stack);
    byDateTemplate.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: {
        Prefix: 'events/date=!{partitionKeyFromQuery:date}/',
        ProcessingConfiguration: { Processors: [{ Parameters: [{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{date: .receivedAt[0:10]}' }, { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' }] }, { Type: 'AppendDelimiterToRecord' }] },
      },
    });
    expect(firehose(alarmsOf(byDateTemplate), 'PartitionCount')).toEqual([]);
    expect(firehose(alarmsOf(byDateTemplate), 'PartitionCountExceeded')).toHaveLength(1);
  }, 180_000);
});

describe('dashboard', () => {
  it('shows the state of every alarm of the stack', () => {
    expect(widget('Alarms').properties.alarms?.sort()).toEqual(alarms.map(([id]) => `${id}.Arn`).sort());
  });
});
