import { Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, Function as NodeLambdaFunction, StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { WebhookDelivery } from './webhook-delivery.ts';
import { HANDLER_NAMES, HANDLER_TABLE_ACCESS, isStreaming, ROUTES, type HandlerName } from '#functions/routes.ts';
import { recordOf } from '../record-of.ts';
import { OBSERVERS } from '#functions/observers.ts';
import { EVENT_SK_PREFIX, SUMMARY_SK } from '#adapters/dynamodb/keys.ts';
import { RUN_INDEXES } from '#adapters/dynamodb/table-definition.ts';
import { summarizePublishPatterns } from '#shared/bus/publish-summary.ts';
import { friendlyErrorMap } from '#shared/contract/issues.ts';
import { RUNLEDGER_DEFAULTS, RunLedgerConfigSchema, streamReservedConcurrency, type RunLedgerConfig } from '../config.ts';
import { notifyingAlarm } from './alarm.ts';
import { ArchiveBucket } from './archive-bucket.ts';
import { EventStoreTable, type TableAccess } from './event-store-table.ts';
import { HandlerFunction, SOURCE_MAPS_CONTEXT, TRACE_CALLS_CONTEXT } from './handler-function.ts';
import { Operations } from './operations.ts';
import { RelayFailuresRedrive } from './relay-failures-redrive.ts';
import { reserveConcurrency } from './reserved-concurrency.ts';
import { RunLedgerApi } from './runledger-api.ts';
import { ShareLinkKeys } from './share-link-keys.ts';
import { apiOriginOf, DashboardSite } from './dashboard-site.ts';
import { ArchiveStream } from './archive-stream.ts';
import { ObserverRules, type AddObserverOptions, type ObserverRule } from './observer-rules.ts';
import { LedgerQueue } from './ledger-queue.ts';

/** Every prop is optional; the names are the `cdk.json` context keys. Checked at construction. */
export interface RunLedgerProps {
  /** Names the stack's API stage, bus, dashboard (`runledger-<stage>`). @default 'dev' */
  readonly stage?: string;
  /** Days every stored item lives (DynamoDB TTL). @default 30 */
  readonly retentionDays?: number;
  /** Events past this many in one run are rejected; at most ~71,000 (the byTask index's 10 GB per run, infra/limits.ts). @default 50000 */
  readonly maxEventsPerRun?: number;
  /** A running run silent this long is timed out (stale-run detection). @default 300 */
  readonly heartbeatTimeoutSeconds?: number;
  /** A run running this long is timed out, however busy (stale-run detection). @default 86400 */
  readonly maxRunSeconds?: number;
  /** Where alarms and alerts are emailed (an SNS email subscription). @default no email */
  readonly alertEmail?: string;
  /** Secrets Manager secret holding a Slack-compatible webhook URL for alerts. @default no webhook */
  readonly alertWebhookSecretName?: string;
  /** Stage-wide steady requests per second. @default 100 */
  readonly throttleRateLimit?: number;
  /** Stage-wide burst. @default 200 */
  readonly throttleBurstLimit?: number;
  /** Retention of function and access logs, one of CloudWatch's values. @default 30 */
  readonly logRetentionDays?: number;
  /** What deleting the stack does to the table and the archive. @default 'retain' */
  readonly removalPolicy?: 'retain' | 'destroy';
  /** Browser origins whose pages may read every answer (CORS); the first one also gets the gateway's own answers. @default [] (none) */
  readonly corsOrigins?: readonly string[];
  /** Archive objects by `tenant` and day, or by `date` only (the tenant stays in each record). @default 'tenant' */
  readonly archivePartitioning?: 'tenant' | 'date';
  /** The archive stream's active-partition quota, as AWS has it for the account; alarms at 80%. @default 500 */
  readonly archiveActivePartitionsQuota?: number;
  /** The API's endpoint: regional (behind your own CDN, or none) or edge-optimized (CloudFront in front). @default 'regional' */
  readonly endpointType?: 'regional' | 'edge';
  /** A custom domain for the API, with `certificateArn` (both or neither). @default none */
  readonly domainName?: string;
  /** The ACM certificate of `domainName` (in us-east-1 for an edge endpoint, in the stack's region for a regional one). @default none */
  readonly certificateArn?: string;
  /** A regional WAFv2 web ACL to associate with the API stage. @default none */
  readonly webAclArn?: string;
  /** SSE streams open at once, over all tenants; the next one answers 429 with Retry-After. @default 100 */
  readonly maxOpenStreams?: number;
  /** Lambda concurrency reserved for (and capping) ingest; keep it at or above throttleBurstLimit so the stage answers 429 before Lambda throttles. @default 200 */
  readonly ingestReservedConcurrency?: number;
  /** Lambda concurrency reserved for (and capping) the authorizer. @default 50 */
  readonly authorizerReservedConcurrency?: number;
  /** The account's Lambda concurrency limit in the region; the reservations must leave 100 of it unreserved. @default 1000 */
  readonly accountConcurrency?: number;
  /**
   * How long API Gateway caches the authorizer's answer per key (0: off). `keys revoke --stack`
   * flushes it; an expired key is refused by the handlers however long it is cached. @default 300
   */
  readonly authorizerCacheSeconds?: number;
  /** How long the authorizer function remembers a key: a revoked key works at most this long after `keys revoke --stack`. @default 5 */
  readonly keyCacheSeconds?: number;
  /**
   * Source maps in every function's zip, and Node run with `--enable-source-maps`: stack traces
   * name the TypeScript files, at the price of a larger zip and slower stack traces. @default false
   */
  readonly sourceMaps?: boolean;
  /**
   * X-Ray subsegments per handler call and per DynamoDB call (the X-Ray SDK bundled into every
   * function). Lambda's active tracing, a segment per invocation, is on either way. @default false
   */
  readonly traceCalls?: boolean;
  /**
   * The dashboard on S3 behind CloudFront (HTTPS, security headers), `config.json` naming this API
   * written at deploy, its origin put first in the API's CORS origins, and share links pointing at
   * it. Needs the built app (`npm run build`). @default false
   */
  readonly dashboard?: boolean;
}

/** The defaults, as pure data (infra/config.ts): part of this construct's public API. */
export { RUNLEDGER_DEFAULTS };

/** Props merged over the defaults and checked, with the bad prop named. */
export function resolveRunLedgerProps(props: RunLedgerProps): RunLedgerConfig {
  const parsed = RunLedgerConfigSchema.safeParse({ ...RUNLEDGER_DEFAULTS, ...withoutUndefined(props) }, { error: friendlyErrorMap });
  if (!parsed.success) {
    throw new Error(`RunLedger: ${parsed.error.issues.map((issue) => `prop '${issue.path.join('.')}': ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}

function withoutUndefined(props: RunLedgerProps): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined));
}

/**
 * The whole runledger pipeline in one construct: the events table, the bus, the archive bucket,
 * the functions (each with only the access its job needs), the REST API and the operations kit.
 */
const STREAMING_HANDLERS = new Set<HandlerName>(ROUTES.filter(isStreaming).map((route) => route.handler));

export class RunLedger extends Construct {
  public readonly config: RunLedgerConfig;
  public readonly events: EventStoreTable;
  public readonly bus: EventBus;
  public readonly archive: ArchiveBucket;
  public readonly functions: Record<HandlerName | 'authorize' | 'relay' | 'detect-stale-runs' | 'redrive-relay-failures', HandlerFunction>;
  /** The built-in observers' functions, by handler folder (functions/observers.ts). */
  public readonly observerFunctions: Record<string, HandlerFunction> = {};
  public readonly observers: ObserverRules;
  public readonly archiveStream: ArchiveStream;
  /**
   * What the relay could not publish, one message per run (tenant, runId, seqs): published again
   * every 5 minutes by `relayFailuresRedrive`, or at once with `npm run dlq -- redrive --aws`.
   */
  public readonly relayFailures: Queue;
  /** The scheduled redrive of `relayFailures`. */
  public readonly relayFailuresRedrive: RelayFailuresRedrive;
  /** The share-link signing keys (Secrets Manager), read by the authorizer and share-run. */
  public readonly shareLinkKeys: ShareLinkKeys;
  /** The dashboard's bucket and distribution, when the `dashboard` prop is on. */
  public readonly dashboard: DashboardSite | undefined;
  /**
   * The last resort: where the stream puts the metadata (shard, sequence numbers, arrival times) of
   * batches the relay failed on for a day without even keeping them in `relayFailures`.
   */
  public readonly relayStreamFailures: Queue;
  public readonly api: RunLedgerApi;
  public readonly operations: Operations;
  /** Webhook deliveries: the job queue, its worker and their alarms (the fan-out is the `webhooks` observer). */
  public readonly webhooks: WebhookDelivery;
  /**
   * Observer deliveries on their way to the ledger: every observer function (built-in, or added
   * with addObserver) sends each invocation's successes here, and its writer records them a
   * thousand messages at a time.
   */
  public readonly ledgerQueue: LedgerQueue;

  constructor(scope: Construct, id: string, props: RunLedgerProps = {}) {
    super(scope, id);
    const config = resolveRunLedgerProps(props);
    this.config = config;
    // Read by every HandlerFunction below, the observers' dispatchers included (before any child exists).
    this.node.setContext(SOURCE_MAPS_CONTEXT, config.sourceMaps);
    this.node.setContext(TRACE_CALLS_CONTEXT, config.traceCalls);
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = config.logRetentionDays as RetentionDays;

    this.events = new EventStoreTable(this, 'Events', { removalPolicy, deletionProtection: config.removalPolicy === 'retain' });
    this.bus = new EventBus(this, 'Bus', { eventBusName: `runledger-${config.stage}` });
    this.archive = new ArchiveBucket(this, 'Archive', { removalPolicy });

    // Writers key the stale-deadline index by the same policy the detector judges by.
    const limits = {
      RUNLEDGER_RETENTION_DAYS: String(config.retentionDays),
      RUNLEDGER_MAX_EVENTS_PER_RUN: String(config.maxEventsPerRun),
      RUNLEDGER_HEARTBEAT_TIMEOUT_SECONDS: String(config.heartbeatTimeoutSeconds),
      RUNLEDGER_MAX_RUN_SECONDS: String(config.maxRunSeconds),
    };
    const make = (name: string, access: TableAccess | undefined, timeout?: Duration, exportName?: string) => {
      const fn = new HandlerFunction(this, pascal(name), {
        handler: name,
        stage: config.stage,
        logRetention,
        environment: limits,
        ...(timeout === undefined ? {} : { timeout }),
        ...(exportName === undefined ? {} : { exportName }),
      });
      if (access !== undefined) this.events.bind(fn.function, access);
      return fn;
    };
    this.dashboard = config.dashboard ? new DashboardSite(this, 'Dashboard', { apiOrigin: apiOriginOf(config.domainName), removalPolicy: RemovalPolicy.DESTROY }) : undefined;
    // The dashboard's origin first: the gateway's own answers (a 401 at sign-in) carry the first origin only.
    const corsOrigins = this.dashboard === undefined ? config.corsOrigins : [this.dashboard.origin, ...config.corsOrigins];
    const routeFunctions = recordOf(HANDLER_NAMES, (name) => {
      const access = HANDLER_TABLE_ACCESS[name];
      // A stream lives up to API Gateway's 15-minute streaming limit; it closes itself 10 s before.
      const fn = make(name, access === 'none' ? undefined : access, STREAMING_HANDLERS.has(name) ? Duration.minutes(15) : undefined);
      // Every answer a route function gives carries the CORS headers for these origins (functions/http/cors.ts).
      if (corsOrigins.length > 0) fn.function.addEnvironment('RUNLEDGER_CORS_ORIGINS', corsOrigins.join(','));
      return fn;
    });
    this.functions = {
      ...routeFunctions,
      authorize: this.#authorizer(make('authorize', 'key-reader'), config),
      // Reads back the events a server-sequenced run's confirm names: a Query of that run's items. One
      // stream batch of 100 confirms can stand for thousands of events, published 10 a call in seq
      // order: a minute covers that where the default 10 s would time out and repeat the batch.
      relay: make('relay', 'event-reader', Duration.minutes(1)),
      'detect-stale-runs': this.#staleRunDetector(make('detect-stale-runs', 'run-writer', Duration.minutes(1))),
      // Its table access (run events only) is bound with the rest of its grants by RelayFailuresRedrive.
      'redrive-relay-failures': make('redrive-relay-failures', undefined, Duration.minutes(2)),
    };
    this.#isolateConcurrency(config);
    this.shareLinkKeys = new ShareLinkKeys(this, 'ShareLinkKeys', { removalPolicy });
    for (const fn of [this.functions.authorize, this.functions['share-run']]) this.shareLinkKeys.bind(fn.function);
    if (this.dashboard !== undefined) this.functions['share-run'].function.addEnvironment('RUNLEDGER_DASHBOARD_URL', this.dashboard.url);
    for (const observer of OBSERVERS) {
      // A required built-in consumes its delivery queue: the handler module's SQS entry.
      if (observer.target.kind === 'function') {
        const fn = make(observer.target.handler, observer.target.tableAccess, undefined, observer.required ? 'sqsHandler' : undefined);
        // Built-in observers record their deliveries (runledger/observer's middleware).
        this.events.bind(fn.function, 'ledger-writer');
        this.observerFunctions[observer.target.handler] = fn;
      }
    }

    this.api = new RunLedgerApi(this, 'Api', {
      stage: config.stage,
      handlers: recordOf(HANDLER_NAMES, (name) => this.functions[name].function),
      authorizer: this.functions.authorize.function,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      corsOrigins,
      endpointType: config.endpointType,
      ...(config.domainName === undefined || config.certificateArn === undefined ? {} : { domain: { domainName: config.domainName, certificateArn: config.certificateArn } }),
      ...(config.webAclArn === undefined ? {} : { webAclArn: config.webAclArn }),
      logRetention,
      authorizerCacheTtl: Duration.seconds(config.authorizerCacheSeconds),
    });
    this.dashboard?.deploy(this.api.api.url);
    this.operations = new Operations(this, 'Operations', {
      stage: config.stage,
      api: this.api.api,
      ingest: this.functions['ingest-events'].function,
      ...(config.alertEmail === undefined ? {} : { alertEmail: config.alertEmail }),
    });

    this.observers = new ObserverRules(this, 'Observers', { bus: this.bus, alertTopic: this.operations.alertTopic, stage: config.stage, logRetention });
    this.ledgerQueue = new LedgerQueue(this, 'LedgerQueue', { events: this.events, alertTopic: this.operations.alertTopic, stage: config.stage, logRetention });
    // The built-in observers record their deliveries through the same middleware as yours.
    for (const fn of Object.values(this.observerFunctions)) this.ledgerQueue.bind(fn.function);
    this.archiveStream = new ArchiveStream(this, 'ArchiveStream', { bucket: this.archive.bucket, partitioning: config.archivePartitioning });
    this.operations.monitorArchive(this.archiveStream.stream, {
      partitioning: config.archivePartitioning,
      activePartitionsQuota: config.archiveActivePartitionsQuota,
      bufferInterval: this.archiveStream.bufferInterval,
    });
    this.operations.monitorTable(this.events.table, RUN_INDEXES.map((index) => index.name));
    [this.relayFailures, this.relayStreamFailures] = this.#wireRelay();
    this.relayFailuresRedrive = new RelayFailuresRedrive(this, 'RelayFailuresRedrive', {
      function: this.functions['redrive-relay-failures'].function,
      failures: this.relayFailures,
      events: this.events,
      bus: this.bus,
      alertTopic: this.operations.alertTopic,
    });
    this.#wireAlerting(config);
    for (const observer of OBSERVERS) {
      const options = { name: observer.name, filter: observer.filter, required: observer.required };
      if (observer.target.kind === 'archive') this.observers.addDeliveryStream(this.archiveStream.stream, options);
      else {
        const fn = this.#observerFunction(observer.target.handler).function;
        this.observers.addBuiltInFunction(fn, { ...options, timeout: fn.timeout ?? Duration.seconds(3) });
      }
    }
    this.webhooks = this.#wireWebhooks(make, logRetention);
    this.operations.addDeadLetterWidget(
      OBSERVERS.map((_observer, index) => this.#ruleAt(index)),
      this.relayFailures,
    );
    // At synth: every function's errors and every observer rule's deliveries, addObserver's included.
    this.operations.monitorEverything(this, () => this.observers.rules, this.bus);
  }

  #authorizer(authorizer: HandlerFunction, config: RunLedgerConfig): HandlerFunction {
    authorizer.function.addEnvironment('RUNLEDGER_KEY_CACHE_SECONDS', String(config.keyCacheSeconds));
    return authorizer;
  }

  /**
   * Every minute, the detector times out silent or overlong runs through the ingest path. A
   * failed pass is not retried, neither by the rule nor by Lambda's own async retries (which the
   * rule's policy does not cover): the next pass, a minute later, covers the same runs.
   */
  #staleRunDetector(detector: HandlerFunction): HandlerFunction {
    this.events.bind(detector.function, 'stale-run-finder');
    detector.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    new Rule(this, 'StaleRunSchedule', {
      description: 'runledger: time out runs with no event within their heartbeat timeout or past their maximum duration',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(detector.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
    return detector;
  }

  /**
   * Streams, ingest and the authorizer each get concurrency of their own, so a thousand open streams
   * (each holding an execution for up to 15 minutes) cannot starve ingest, and a burst of ingest
   * cannot starve the authorizer both need. stream-run counts its open streams against
   * maxOpenStreams in the table and answers 429 past it (functions/stream-run/serve-stream.ts).
   */
  #isolateConcurrency(config: RunLedgerConfig): void {
    const streams = this.functions['stream-run'].function;
    this.events.bind(streams, 'stream-slots');
    streams.addEnvironment('RUNLEDGER_MAX_OPEN_STREAMS', String(config.maxOpenStreams));
    reserveConcurrency(streams, streamReservedConcurrency(config.maxOpenStreams));
    reserveConcurrency(this.functions['ingest-events'].function, config.ingestReservedConcurrency);
    reserveConcurrency(this.functions.authorize.function, config.authorizerReservedConcurrency);
  }

  #observerFunction(handler: string): HandlerFunction {
    const fn = this.observerFunctions[handler];
    if (fn === undefined) throw new Error(`no function for observer handler '${handler}'`);
    return fn;
  }

  /**
   * Webhooks: the subscription routes get the `W#` items, the fan-out (every event, a required
   * observer with its queue, DLQ and alarms) turns events into jobs, WebhookDelivery sends them.
   */
  #wireWebhooks(make: (name: string, access: TableAccess | undefined, timeout?: Duration, exportName?: string) => HandlerFunction, logRetention: RetentionDays): WebhookDelivery {
    this.events.bind(this.functions['manage-subscriptions'].function, 'webhook-manager');
    this.events.bind(this.functions['replay-subscription'].function, 'webhook-manager');
    this.events.bind(this.functions['list-deliveries'].function, 'webhook-reader');
    const fanOut = make('deliver-webhooks', 'webhook-reader', Duration.seconds(30), 'fanOut');
    this.observerFunctions['deliver-webhooks'] = fanOut;
    const webhooks = new WebhookDelivery(this, 'Webhooks', {
      events: this.events,
      alertTopic: this.operations.alertTopic,
      stage: this.config.stage,
      logRetention,
      producers: [fanOut.function, this.functions['replay-subscription'].function],
    });
    this.observers.addBuiltInFunction(fanOut.function, { name: 'webhooks', filter: { preset: 'all' }, required: true, timeout: Duration.seconds(30) });
    return webhooks;
  }

  #ruleAt(index: number): ObserverRule {
    const rule = this.observers.rules[index];
    if (rule === undefined) throw new Error(`no observer rule at ${index}`);
    return rule;
  }

  /**
   * Subscribes any Lambda function (of this stack or another) as an observer; it receives the
   * EventBridge event as is. The rule with the filter's pattern; for required observers a delivery
   * queue retried for a day on any failure, a dispatcher that invokes the function, a dead-letter
   * queue with an alarm. The relay starts publishing the types the new pattern can match.
   * For a function of another stack all of that is made in the function's stack, which may use this
   * stack's bus and table: this stack never refers to it (see ObserverRules).
   */
  addObserver(fn: IFunction, options: AddObserverOptions): ObserverRule {
    // What `recordDeliveries` (runledger/observer) needs to put the observer's deliveries in the ledger: the table, and its `W#`
    // items only (failures, and successes when the queue refuses), and the ledger queue (successes). An imported function
    // cannot be given an environment: docs/observers.md says what its owner sets instead.
    if (fn instanceof NodeLambdaFunction) {
      this.events.bind(fn, 'ledger-writer');
      this.ledgerQueue.bind(fn);
    }
    return this.observers.addFunction(fn, options);
  }

  /** The relay reads the table's stream (new events, confirms), reads back a run's confirmed events, and may put events on this bus only. */
  #wireRelay(): [Queue, Queue] {
    const relay = this.functions.relay.function;
    relay.addEnvironment('RUNLEDGER_EVENT_BUS_NAME', this.bus.eventBusName);
    // Lazy: observers subscribed after this (from this stack or another) are in it. The summary, not
    // every pattern: one entry per observer would pass Lambda's 4 KB environment at about 40 observers.
    relay.addEnvironment('RUNLEDGER_PUBLISH_PATTERNS', Lazy.string({ produce: () => JSON.stringify(summarizePublishPatterns(this.observers.patterns)) }));
    relay.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }));
    const failures = new Queue(this, 'RelayFailures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14), visibilityTimeout: Duration.minutes(5) });
    Validations.of(failures).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself where the relay keeps what it could not publish; the scheduled redrive (or `npm run dlq -- redrive --aws`) empties it.' });
    failures.grantSendMessages(relay);
    relay.addEnvironment('RUNLEDGER_RELAY_FAILURES_QUEUE_URL', failures.queueUrl);
    const streamFailures = new Queue(this, 'RelayStreamFailures', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(streamFailures).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the on-failure destination of the relay’s stream mapping.' });
    // FilterRule's helpers are typed `any` by CDK: keep them as unknown.
    const inserts: unknown = FilterRule.isEqual('INSERT');
    const eventKeys: unknown = FilterRule.beginsWith(EVENT_SK_PREFIX);
    const notDense: unknown = FilterRule.notExists();
    const summaryKey: unknown = FilterRule.isEqual(SUMMARY_SK);
    const confirms: unknown = FilterRule.exists();
    relay.addEventSource(
      new DynamoEventSource(this.events.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 20,
        maxRecordAge: Duration.hours(24),
        // Reached only when the relay could not even keep its failures in `failures` for a day.
        onFailure: new SqsDlq(streamFailures),
        // Only what is published (stream-records.ts): new producer-sequenced event items, and the run
        // summary revisions that confirm seqs of a server-sequenced run. Claims, guards, keys, other
        // summary writes and server-sequenced event items (published from their confirm) never invoke it.
        filters: [
          FilterCriteria.filter({ eventName: inserts, dynamodb: { Keys: { sk: { S: eventKeys } }, NewImage: { dense: { BOOL: notDense } } } }),
          FilterCriteria.filter({ dynamodb: { Keys: { sk: { S: summaryKey } }, NewImage: { confirmedTo: { N: confirms } } } }),
        ],
      }),
    );
    const topic = this.operations.alertTopic;
    const period = Duration.minutes(1);
    notifyingAlarm(this, 'RelayIteratorAge', { metric: relay.metric('IteratorAge', { statistic: 'Maximum', period }), threshold: 60_000, description: 'the relay is more than a minute behind the table', topic });
    // Three 5-minute periods in a row: a short outage that the scheduled redrive heals on its next
    // pass (every 5 minutes) pages nobody; failures still waiting after two passes do.
    notifyingAlarm(this, 'RelayFailuresAlarm', {
      metric: failures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Minimum' }),
      threshold: 1,
      evaluationPeriods: 3,
      description: 'events the relay could not publish are waiting: the scheduled redrive retries them every 5 minutes; if this stays, see its logs or run npm run dlq -- redrive --aws',
      topic,
    });
    notifyingAlarm(this, 'RelayStreamFailuresAlarm', {
      metric: streamFailures.metricApproximateNumberOfMessagesVisible({ period }),
      threshold: 1,
      description: 'stream batches the relay failed on for a day, not even kept for a redrive: read the message for the shard and sequence numbers',
      topic,
    });
    return [failures, streamFailures];
  }

  #wireAlerting(config: RunLedgerConfig): void {
    const alerting = this.#observerFunction('alerting-observer').function;
    alerting.addEnvironment('RUNLEDGER_ALERT_TOPIC_ARN', this.operations.alertTopic.topicArn);
    this.operations.alertTopic.grantPublish(alerting);
    Validations.of(alerting.role ?? alerting).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason: 'Publishing to the encrypted alert topic needs a data key from its key; the grant names that one key only (CDK grantPublish).',
    });
    if (config.alertWebhookSecretName !== undefined) {
      // Secrets Manager ends a secret's ARN with '-' and six random characters: '??????' matches
      // exactly those (AWS's advice), where '-*' would also match other secrets sharing the prefix.
      const secretArn = `arn:${Stack.of(this).partition}:secretsmanager:${Stack.of(this).region}:${Stack.of(this).account}:secret:${config.alertWebhookSecretName}-??????`;
      alerting.addEnvironment('RUNLEDGER_ALERT_WEBHOOK_SECRET_ARN', config.alertWebhookSecretName);
      alerting.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }));
    }
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)(\w)/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}
