import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createTableInput } from '#adapters/dynamodb/table-definition.ts';
import { OBSERVERS } from '#functions/observers.ts';
import { HANDLER_NAMES, isShared, ROUTES } from '#functions/routes.ts';
import { toEventPattern } from '#shared/bus/observer-filter.ts';
import { ARCHIVE_PREFIXES } from '#infra/constructs/archive-stream.ts';
import { summarizePublishPatterns } from '#shared/bus/publish-summary.ts';
import { synthesize } from './support.ts';

// One synthesis (bundling four functions with esbuild, running cdk-nag) for every assertion.
const { template } = synthesize({ stage: 'prod', alertEmail: 'ops@example.com' });

type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = (type: string): Array<[string, Resource]> =>
  Object.entries(template.findResources(type)) as Array<[string, Resource]>;

/** The IAM statements of the role of the function whose handler is functions/<name>. */
function statementsOf(name: string): Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }> {
  const [, fn] = resources('AWS::Lambda::Function').find(([, f]) => JSON.stringify(f.Properties.Environment).includes(`runledger-${name}`)) ?? [];
  if (fn === undefined) throw new Error(`no function for ${name}`);
  const roleRef = JSON.stringify(fn.Properties.Role);
  const policies = resources('AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleRef.match(/"([A-Za-z0-9]+Role[A-Za-z0-9]*)"/)?.[1] ?? '#'));
  return policies.flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }> }).Statement);
}

const actionsOf = (name: string) => statementsOf(name).flatMap((statement) => [statement.Action].flat()).sort();

describe('events table', () => {
  it('has the key schema and stream the local stack creates, on demand', () => {
    const local = createTableInput('any');
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: local.KeySchema,
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      BillingMode: 'PAY_PER_REQUEST',
    });
    const [[, table] = []] = resources('AWS::DynamoDB::GlobalTable');
    const byName = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect([...((table?.Properties.AttributeDefinitions as Array<{ AttributeName: string }> | undefined) ?? [])].sort(byName)).toEqual([...(local.AttributeDefinitions ?? [])].sort(byName));
    const indexes = (table?.Properties.GlobalSecondaryIndexes as Array<{ IndexName: string; KeySchema: unknown; Projection: unknown }> | undefined) ?? [];
    expect(indexes.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })).sort(byName)).toEqual(
      (local.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })).sort(byName),
    );
  });

  it('is encrypted, point-in-time recoverable, expires items by TTL and is retained', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
  });
});

describe('functions', () => {
  it('run Node 24 on arm64 with X-Ray and their own log group', () => {
    const functions = resources('AWS::Lambda::Function');
    // The routes, then authorize, relay, detect-stale-runs, redrive-relay-failures, then the observers, then the webhook fan-out and
    // worker, then the ledger writer (test/infra/ledger-queue.infra.test.ts).
    const expected = HANDLER_NAMES.length + 4 + OBSERVERS.filter((observer) => observer.target.kind === 'function').length + 2 + 1;
    expect(functions).toHaveLength(expected);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, LoggingConfig: { LogFormat: 'JSON' } });
    }
    // One log group per function, and the API's access logs.
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, expected + 1);
  });

  it('let ingest write run items only, with no delete or scan', () => {
    const dynamo = statementsOf('ingest-events').find((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')));
    expect([dynamo?.Action].flat().sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      // Server-sequenced events and guards: PartiQL INSERT only (no PartiQLUpdate, PartiQLDelete or PartiQLSelect).
      'dynamodb:PartiQLInsert',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(dynamo?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['T#*'] } });
  });

  it('let the run readers only read run items, and the authorizer only read API key items', () => {
    for (const reader of ['get-run', 'list-events', 'list-tasks', 'get-task', 'get-stats']) {
      expect(actionsOf(reader).filter((action) => action.startsWith('dynamodb:'))).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    }
    // stream-run also takes and frees its open-stream slots, in their own partition (concurrency.infra.test.ts).
    const streamRun = statementsOf('stream-run').filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')));
    expect(streamRun.map((statement) => [[statement.Action].flat().sort(), statement.Condition])).toEqual([
      [['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['T#*'] } }],
      [['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'], { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['STREAMS'] } }],
    ]);
    const authorizer = statementsOf('authorize').find((statement) => [statement.Action].flat().includes('dynamodb:GetItem'));
    expect(authorizer?.Action).toBe('dynamodb:GetItem');
    expect(authorizer?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['K#*'] } });
  });

  it('give health and the OpenAPI document no data access at all, and every function logs only to its own group', () => {
    for (const name of ['health', 'get-openapi']) {
      expect(actionsOf(name).filter((action) => !action.startsWith('xray:'))).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    }
    for (const name of ['ingest-events', 'get-run', 'health', 'authorize']) {
      const logs = statementsOf(name).find((statement) => [statement.Action].flat().includes('logs:PutLogEvents'));
      expect(JSON.stringify(logs?.Resource)).toMatch(/Fn::GetAtt.*Logs.*Arn/);
    }
  });
});

describe('REST API', () => {
  it('passes OTLP protobuf bodies to POST /v1/traces intact (a binary media type), its function granted what ingest is', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['application/x-protobuf'] });
    const dynamoOf = (name: string) => statementsOf(name).find((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')));
    expect(dynamoOf('ingest-traces')).toEqual(dynamoOf('ingest-events'));
  });

  it('has every route of the route table, with the bearer authorizer on all but health and the OpenAPI document', () => {
    const methods = resources('AWS::ApiGateway::Method').filter(([, method]) => method.Properties.HttpMethod !== 'OPTIONS');
    expect(methods).toHaveLength(ROUTES.length);
    for (const route of ROUTES) {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: route.method,
        AuthorizationType: route.auth ? 'CUSTOM' : 'NONE',
        ...(route.auth ? { AuthorizerId: Match.anyValue() } : {}),
        Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
      });
    }
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
    });
  });

  it('authorizes a run\'s GET routes with an uncached REQUEST authorizer (a share token may come as ?token=) and every other route with the cached TOKEN one', () => {
    const authorizers = resources('AWS::ApiGateway::Authorizer');
    const idOf = (type: string) => authorizers.find(([, authorizer]) => authorizer.Properties.Type === type)?.[0];
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST', AuthorizerResultTtlInSeconds: 0 });
    const methods = resources('AWS::ApiGateway::Method').filter(([, method]) => method.Properties.HttpMethod !== 'OPTIONS');
    const shared = ROUTES.filter(isShared);
    expect(shared.map((route) => `${route.method} ${route.path}`)).toEqual([
      'GET /v1/runs/{runId}',
      'GET /v1/runs/{runId}/events',
      'GET /v1/runs/{runId}/tasks',
      'GET /v1/runs/{runId}/tasks/{taskId}',
      'GET /v1/runs/{runId}/stream',
    ]);
    const requestAuthorized = methods.filter(([, m]) => JSON.stringify(m.Properties.AuthorizerId ?? '').includes(idOf('REQUEST') ?? '#'));
    const tokenAuthorized = methods.filter(([, m]) => JSON.stringify(m.Properties.AuthorizerId ?? '').includes(idOf('TOKEN') ?? '#'));
    expect(requestAuthorized).toHaveLength(shared.length);
    expect(tokenAuthorized).toHaveLength(ROUTES.filter((route) => route.auth && !isShared(route)).length);
    expect(tokenAuthorized.map(([, m]) => m.Properties.HttpMethod)).toContain('POST');
    expect(requestAuthorized.every(([, m]) => m.Properties.HttpMethod === 'GET')).toBe(true);
  });

  it('keeps the share-link signing keys in one Secrets Manager secret only the authorizer and share-run may read', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ GenerateStringKey: 'secret', PasswordLength: 48 }) });
    const readers = resources('AWS::Lambda::Function')
      .filter(([, fn]) => JSON.stringify(fn.Properties.Environment).includes('RUNLEDGER_SHARE_KEYS_SECRET_ARN'))
      .map(([, fn]) => /"POWERTOOLS_SERVICE_NAME":"runledger-([a-z-]+)"/.exec(JSON.stringify(fn.Properties.Environment))?.[1]);
    expect(readers.sort()).toEqual(['authorize', 'share-run']);
    for (const name of ['authorize', 'share-run']) expect(actionsOf(name)).toEqual(expect.arrayContaining(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']));
    expect(actionsOf('get-run').filter((action) => action.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('times out stale runs every minute, with the deadline index and ingest rights only', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })] });
    const queries = statementsOf('detect-stale-runs').filter((statement) => JSON.stringify(statement.Condition ?? {}).includes('STALE#'));
    expect(queries).toEqual([expect.objectContaining({ Action: 'dynamodb:Query', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['STALE#*'] } } })]);
  });

  it('streams the SSE route through REST response streaming, with a 15-minute integration and function', () => {
    const streaming = resources('AWS::ApiGateway::Method').filter(([, method]) => JSON.stringify(method.Properties.Integration).includes('STREAM'));
    expect(streaming).toHaveLength(ROUTES.filter((route) => 'streaming' in route).length);
    const integration = streaming[0]?.[1].Properties.Integration as { ResponseTransferMode: string; TimeoutInMillis: number; Uri: unknown };
    expect(integration).toMatchObject({ ResponseTransferMode: 'STREAM', TimeoutInMillis: 900_000 });
    expect(JSON.stringify(integration.Uri)).toContain('response-streaming-invocations');
    const [, fn] = resources('AWS::Lambda::Function').find(([, f]) => JSON.stringify(f.Properties.Environment).includes('runledger-stream-run')) ?? [];
    expect(fn?.Properties.Timeout).toBe(900);
  });

  it('validates ingest bodies at the door', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestValidatorId: Match.anyValue(),
      RequestModels: { 'application/json': Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ type: 'object', required: ['events'] }),
    });
  });

  it('throttles the stage, writes JSON access logs and traces', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, DataTraceEnabled: false })]),
    });
  });

  it('answers auth failures and throttling in the contract error shape', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"unauthorized"') },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Retry-After': "'1'" }),
    });
  });

  it('allows CORS from the configured dashboard origin', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      Integration: Match.objectLike({
        IntegrationResponses: Match.arrayWith([
          Match.objectLike({ ResponseParameters: Match.objectLike({ 'method.response.header.Access-Control-Allow-Origin': "'https://dash.example.com'" }) }),
        ]),
      }),
    });
  });
});

describe('operations', () => {
  it('sends every alarm to the encrypted alert topic, which emails the configured address', () => {
    const [[topicId] = []] = resources('AWS::SNS::Topic');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    const alarms = resources('AWS::CloudWatch::Alarm');
    expect(alarms.map(([id]) => id.replace(/[A-F0-9]{8}$/, '')).sort()).toEqual(
      expect.arrayContaining([expect.stringContaining('ApiServerErrorRate'), expect.stringContaining('IngestThrottles'), expect.stringContaining('TableThrottleEvents')]),
    );
    for (const [, alarm] of alarms) expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain(topicId);
  });

  it('has a dashboard and outputs the API URL, bus name and table name', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasOutput('ApiUrl', {});
    template.hasOutput('BusName', {});
    template.hasOutput('TableName', {});
  });
});

describe('archive bucket', () => {
  it('is encrypted, private, TLS-only and cools down with age', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: Match.objectLike({ ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } })] }),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'archive/' }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ Transitions: Match.arrayWith([Match.objectLike({ StorageClass: 'STANDARD_IA' })]) })] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) }),
    });
  });
});

describe('fan-out', () => {
  it('feeds the relay only producer-sequenced event inserts and confirming summaries from the stream, with bisect, partial batch failures and an on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [{ prefix: 'E#' }] } }, NewImage: { dense: { BOOL: [{ exists: false }] } } } }) },
          { Pattern: JSON.stringify({ dynamodb: { Keys: { sk: { S: ['RUN'] } }, NewImage: { confirmedTo: { N: [{ exists: true }] } } } }) },
        ],
      },
    });
  });

  it('lets the relay put events on its bus, Query run items of the table (no index) and nothing else, and tells it the summary of every subscription pattern', () => {
    const relay = statementsOf('relay');
    const putEvents = relay.find((statement) => [statement.Action].flat().includes('events:PutEvents'));
    expect(putEvents?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Bus/), 'Arn'] });
    const isStreamRead = (action: string) => action.startsWith('dynamodb:DescribeStream') || ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'].includes(action);
    const tableStatements = relay.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:') && !isStreamRead(action)));
    // Reading back the events a server-sequenced run's confirm names: one Query of that run's partition.
    expect(tableStatements.map((statement) => [statement.Action, statement.Condition])).toEqual([['dynamodb:Query', { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['T#*'] } }]]);
    expect(JSON.stringify(tableStatements[0]?.Resource)).not.toContain('/index/');
    const [, fn] = resources('AWS::Lambda::Function').find(([, f]) => JSON.stringify(f.Properties.Environment).includes('runledger-relay')) ?? [];
    const patterns = JSON.parse(String((fn?.Properties.Environment as { Variables: Record<string, unknown> }).Variables.RUNLEDGER_PUBLISH_PATTERNS)) as unknown[];
    // A batch of confirms can stand for thousands of events: a minute, not the default 10 s.
    expect(fn?.Properties.Timeout).toBe(60);
    expect(patterns).toEqual(summarizePublishPatterns(OBSERVERS.map((observer) => toEventPattern(observer.filter))));
  });

  it('makes each subscription a rule on the bus with exactly its pattern', () => {
    for (const observer of OBSERVERS) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.anyValue(),
        Description: `runledger observer ${observer.name}`,
        EventPattern: toEventPattern(observer.filter),
      });
    }
  });

  it('targets required functions through a delivery queue, optional ones directly, the archive through Firehose (details: delivery.infra.test.ts)', () => {
    const rules = resources('AWS::Events::Rule');
    for (const observer of OBSERVERS) {
      const [, rule] = rules.find(([, r]) => r.Properties.Description === `runledger observer ${observer.name}`) ?? [];
      const [target] = rule?.Properties.Targets as Array<Record<string, unknown>>;
      const targetArn = JSON.stringify(target?.Arn);
      if (observer.target.kind === 'archive') expect(targetArn).toMatch(/ArchiveStream/);
      else if (observer.required) expect(targetArn).toMatch(new RegExp(`Observers${observer.name}Deliveries`));
      else expect(targetArn).toMatch(new RegExp(observer.target.handler.replace(/(^|-)(\w)/g, (_, _dash: string, letter: string) => letter.toUpperCase())));
    }
    const requiredFunctions = OBSERVERS.filter((observer) => observer.required && observer.target.kind === 'function').length;
    const required = OBSERVERS.filter((observer) => observer.required).length;
    // A dead-letter queue per required observer, a delivery queue per required function, the relay's two;
    // the webhook fan-out's two (a required observer too) and the webhook jobs' two (test/infra/webhooks.infra.test.ts), the ledger queue's two.
    template.resourceCountIs('AWS::SQS::Queue', required + requiredFunctions + 2 + 4 + 2);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 }, required + 2 + 2 + 1);
  });

  it('archives through Firehose into tenant and date partitions, gzipped and encrypted', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: ARCHIVE_PREFIXES.tenant,
        CompressionFormat: 'GZIP',
        DynamicPartitioningConfiguration: { Enabled: true },
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 64 },
      }),
    });
  });

  it('lets the alerting observer claim, mark sent and release its own alert items and publish to the alert topic only', () => {
    const alerting = statementsOf('alerting-observer');
    const claims = alerting.find((statement) => [statement.Action].flat().includes('dynamodb:PutItem'));
    expect([claims?.Action].flat().sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(claims?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['A#*'] } });
    expect(alerting.some((statement) => [statement.Action].flat().includes('sns:Publish'))).toBe(true);
  });
});

describe('addObserver', () => {
  it('subscribes a function from another stack with one call', async () => {
    const { App, Stack } = await import('aws-cdk-lib');
    const { Code, Function: LambdaFunction, Runtime } = await import('aws-cdk-lib/aws-lambda');
    const { Template } = await import('aws-cdk-lib/assertions');
    const { RunLedger } = await import('#infra/constructs/runledger.ts');
    const app = new App();
    const platform = new Stack(app, 'Platform');
    const runledger = new RunLedger(platform, 'RunLedger');
    const team = new Stack(app, 'Team');
    const fn = new LambdaFunction(team, 'Pager', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => {}') });
    runledger.addObserver(fn, { name: 'pager', filter: { types: ['run.failed'] }, required: true });
    // The rule and the dispatcher are made in the function's own stack (details: delivery-cross-stack.infra.test.ts).
    const template = Template.fromStack(team);
    template.hasResourceProperties('AWS::Events::Rule', { Description: 'runledger observer pager', EventPattern: { source: ['runledger'], 'detail-type': ['run.failed'] } });
    // A required observer is fed by its queue through a dispatcher, so EventBridge invokes only the optional built-ins and the two schedules.
    const permissions = [platform, team].flatMap((stack) => Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Permission', { Properties: { Principal: 'events.amazonaws.com' } })));
    const optionalBuiltInFunctions = OBSERVERS.filter((observer) => observer.target.kind === 'function' && !observer.required).length;
    const schedules = 2; // the stale-run detector and the relay failures redrive
    expect(permissions).toHaveLength(optionalBuiltInFunctions + schedules);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ RUNLEDGER_OBSERVER_FUNCTION: Match.anyValue() }) } });
  });
});
