import { Aspects, Duration, Stack, type IAspect } from 'aws-cdk-lib';
import { Alarm, AlarmStatusWidget, Dashboard, GraphWidget, MathExpression, Metric, TextWidget, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Operation, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';
import { functionErrorsAlarm, hasErrorsAlarm, notifyingAlarm, ObserverAlarms, ruleMetric, type ObservedSubscription } from './alarm.ts';

/**
 * Below this many requests in 5 minutes the API's 5xx rate does not page (one error in three
 * requests is not an outage); 10 or more 5xx answers in 5 minutes page however quiet the stage.
 */
export const API_5XX_MIN_REQUESTS = 100;
export const API_5XX_MIN_ERRORS = 10;

export type OperationsProps = {
  readonly stage: string;
  readonly api: RestApi;
  /** The ingest function: its throttles are alarmed (every function's errors are, see `monitorEverything`). */
  readonly ingest: IFunction;
  /** Where alarms and alerts go by email. @default no subscription */
  readonly alertEmail?: string;
};

export type ArchiveMonitoring = {
  /** `tenant` partitions meet the stream's active-partition quota; `date` ones never do. */
  readonly partitioning: 'tenant' | 'date';
  /** The stream's active-partition quota: the archive alarms at 80% of it. */
  readonly activePartitionsQuota: number;
  /** The stream's buffer interval: data older than six of them is late. */
  readonly bufferInterval: Duration;
};

const PERIOD = Duration.minutes(5);

/**
 * The alert topic (encrypted with its own customer-managed key, TLS only), the alarms that page
 * someone and the dashboard that shows each of them: the API (5xx rate over a minimum of requests,
 * 4xx flood, access logs), every function's errors, the table's throttles, the archive's delivery,
 * and every observer rule's failed and lost deliveries.
 */
export class Operations extends Construct {
  public readonly alertTopic: Topic;
  /** The alert topic's key: CloudWatch and EventBridge may use it to publish there. */
  public readonly alertKey: Key;
  public readonly dashboard: Dashboard;
  public readonly alarms: Alarm[] = [];
  readonly #stage: string;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.#stage = props.stage;
    // Not alias/aws/sns: its policy cannot be changed, so CloudWatch alarms could never publish to the topic.
    this.alertKey = new Key(this, 'AlertKey', {
      description: `runledger ${props.stage}: encrypts the alert topic; CloudWatch alarms and EventBridge may use it to publish there`,
      enableKeyRotation: true,
    });
    this.alertKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AlarmsAndRulesPublishToTheAlertTopic',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com'), new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // In a key policy, '*' is this key.
        resources: ['*'],
      }),
    );
    this.alertTopic = new Topic(this, 'AlertTopic', { displayName: `runledger ${props.stage} alerts`, masterKey: this.alertKey, enforceSSL: true });
    if (props.alertEmail !== undefined) this.alertTopic.addSubscription(new EmailSubscription(props.alertEmail));

    const requests = props.api.metricCount({ period: PERIOD });
    const serverErrors = props.api.metricServerError({ period: PERIOD });
    const clientErrors = props.api.metricClientError({ period: PERIOD });
    // A rate needs enough requests to mean anything; a quiet stage still pages on a burst of errors.
    const errorRate = new MathExpression({
      expression: `IF(requests >= ${API_5XX_MIN_REQUESTS}, 100 * errors / requests, IF(errors >= ${API_5XX_MIN_ERRORS}, 100, 0))`,
      usingMetrics: { errors: serverErrors, requests },
      period: PERIOD,
      label: '5xx % (paging)',
    });
    this.#alarm('ApiServerErrorRate', errorRate, 1, `API 5xx answers above 1% of at least ${API_5XX_MIN_REQUESTS} requests in 5 minutes, or ${API_5XX_MIN_ERRORS}+ of them however few requests`);
    this.#alarm('IngestThrottles', props.ingest.metricThrottles({ period: PERIOD }), 1, 'Lambda throttled the ingest function');
    this.#alarm('ApiClientErrors', clientErrors, 1_000, 'over 1000 4xx answers in 5 minutes: clients failing auth, rejected or throttled (429)');

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `runledger-${props.stage}` });
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'API requests', left: [requests] }),
      new GraphWidget({ title: 'API latency (p50, p99)', left: [props.api.metricLatency({ period: PERIOD, statistic: 'p50' }), props.api.metricLatency({ period: PERIOD, statistic: 'p99' })] }),
      new GraphWidget({ title: 'API errors (5xx alarm: rate over a minimum of requests)', left: [clientErrors, serverErrors], right: [errorRate] }),
    );
  }

  /** DynamoDB throttling of the table and its global indexes (a hot run past 1,000 write units/s, or an index that cannot keep up). */
  monitorTable(table: ITableV2, globalIndexNames: readonly string[]): void {
    const throttledRequests = table.metricThrottledRequestsForOperations({
      operations: [Operation.GET_ITEM, Operation.BATCH_GET_ITEM, Operation.QUERY, Operation.PUT_ITEM, Operation.UPDATE_ITEM, Operation.BATCH_WRITE_ITEM, Operation.TRANSACT_WRITE_ITEMS],
      period: PERIOD,
    });
    const events = (metricName: 'ReadThrottleEvents' | 'WriteThrottleEvents', index?: string) =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: table.tableName, ...(index === undefined ? {} : { GlobalSecondaryIndexName: index }) },
        statistic: 'Sum',
        period: PERIOD,
      });
    const parts: Record<string, IMetric> = { tableReads: events('ReadThrottleEvents'), tableWrites: events('WriteThrottleEvents') };
    // Index writes throttled back-pressure the table's own writes; index reads are the run lists.
    globalIndexNames.forEach((index, position) => {
      parts[`indexWrites${position}`] = events('WriteThrottleEvents', index);
      parts[`indexReads${position}`] = events('ReadThrottleEvents', index);
    });
    const throttleEvents = new MathExpression({ expression: Object.keys(parts).join(' + '), usingMetrics: parts, period: PERIOD, label: 'read + write throttle events (table and indexes)' });
    this.#alarm('TableThrottledRequests', throttledRequests, 1, 'DynamoDB throttled requests to the events table (the functions retry; sustained, ingest answers 429 or 5xx)');
    this.#alarm('TableThrottleEvents', throttleEvents, 1, 'DynamoDB throttled reads or writes of the events table or its indexes: a hot run partition (1,000 write units/s) or an index behind');
    this.dashboard.addWidgets(new GraphWidget({ title: 'DynamoDB throttles', left: [throttledRequests, throttleEvents] }));
  }

  /** The archive's Firehose delivery to S3: late data, failed puts, and the dynamic-partition quota. */
  monitorArchive(stream: IDeliveryStream, options: ArchiveMonitoring): void {
    const metric = (metricName: string, statistic: string) => stream.metric(metricName, { statistic, period: PERIOD });
    const freshness = metric('DeliveryToS3.DataFreshness', 'Maximum');
    const success = metric('DeliveryToS3.Success', 'Minimum');
    const partitions = metric('PartitionCount', 'Maximum');
    const exceeded = metric('PartitionCountExceeded', 'Maximum');
    const lateSeconds = 6 * options.bufferInterval.toSeconds();
    this.#alarm('ArchiveDataFreshness', freshness, lateSeconds, `archive records older than ${lateSeconds} s are still waiting for S3 (Firehose retries for 24 h, then writes them under errors/)`);
    this.alarms.push(
      notifyingAlarm(this, 'ArchiveDeliveryFailures', {
        metric: success,
        threshold: 1,
        comparison: 'below',
        description: 'Firehose failed to put archive objects in S3 (it retries; check the bucket policy and the errors/ prefix)',
        topic: this.alertTopic,
      }),
    );
    this.#alarm('ArchivePartitionsExceeded', exceeded, 1, 'the archive passed its active-partition quota: records past it land under errors/activePartitionExceeded/ instead of their tenant partition (raise the quota, or set archivePartitioning=date)');
    if (options.partitioning === 'tenant') {
      const nearQuota = Math.floor(0.8 * options.activePartitionsQuota);
      this.#alarm('ArchivePartitionsNearQuota', partitions, nearQuota, `the archive holds ${nearQuota}+ active partitions (tenants x days in one buffer), 80% of its quota of ${options.activePartitionsQuota}`);
    }
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Archive delivery', left: [freshness], right: [success] }),
      new GraphWidget({ title: `Archive partitions (quota ${options.activePartitionsQuota})`, left: [partitions], right: [exceeded] }),
    );
  }

  /**
   * At synth, once everything is added (observers subscribed after construction included): an
   * errors alarm on every Lambda function under `root` that has none yet (route handlers, the
   * authorizer, the relay, the redrive, the stale-run detector, observers, dispatchers), the
   * delivery alarms of every observer rule (in the rule's own stack), and the dashboard widgets of
   * both with a status widget of every alarm of this stack.
   */
  monitorEverything(root: Construct, observers: () => readonly ObservedSubscription[], bus: IEventBus): void {
    const aspect: IAspect = { visit: (node: IConstruct) => node === root && this.#sweep(root, observers(), bus) };
    Aspects.of(root).add(aspect);
  }

  #sweep(root: Construct, observers: readonly ObservedSubscription[], bus: IEventBus): void {
    const stack = Stack.of(this);
    for (const subscription of observers) new ObserverAlarms(subscription.rule.node.scope ?? subscription.rule, 'DeliveryAlarms', subscription, this.alertTopic);
    const functions = root.node.findAll().filter((node): node is LambdaFunction => node instanceof LambdaFunction);
    for (const fn of functions) {
      if (hasErrorsAlarm(fn)) continue;
      const name = functionName(root, fn);
      this.alarms.push(functionErrorsAlarm(this, `${name.replace(/[^A-Za-z0-9]/g, '')}Errors`, fn, name, this.alertTopic));
    }
    const local = observers.filter((subscription) => Stack.of(subscription.rule) === stack);
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Function errors', width: 12, left: functions.map((fn) => fn.metricErrors({ period: PERIOD, label: functionName(root, fn) })) }),
      new GraphWidget({ title: 'Function duration p99', width: 12, left: functions.map((fn) => fn.metricDuration({ period: PERIOD, statistic: 'p99', label: functionName(root, fn) })) }),
      new GraphWidget({ title: 'Observer deliveries', left: local.map(({ name, rule }) => ruleMetric(rule, 'Invocations', name)) }),
      new GraphWidget({ title: 'Observer failed deliveries', left: local.map(({ name, rule }) => ruleMetric(rule, 'FailedInvocations', name)) }),
      new GraphWidget({ title: 'Observer events lost (dead-letter queue refused)', left: local.map(({ name, rule }) => ruleMetric(rule, 'InvocationsFailedToBeSentToDlq', name)) }),
      // Rules of other stacks (observers subscribed from their own stack) by search, which needs no
      // reference to them: a reference from this stack would make a dependency cycle.
      new GraphWidget({
        title: 'Every rule on the bus: failed deliveries (by search, other stacks included)',
        width: 24,
        left: [
          new MathExpression({
            expression: `SEARCH('{AWS/Events,EventBusName,RuleName} EventBusName="${bus.eventBusName}" MetricName="FailedInvocations"', 'Sum', ${PERIOD.toSeconds()})`,
            usingMetrics: {},
            period: PERIOD,
            label: '',
          }),
        ],
      }),
    );
    const alarms = stack.node.findAll().filter((node) => node instanceof Alarm);
    this.dashboard.addWidgets(new TextWidget({ markdown: `### runledger ${this.#stage}: every alarm of this stack`, width: 24, height: 1 }), new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 }));
  }

  /** Dead-letter depth of each required observer and of the relay's failures queue. */
  addDeadLetterWidget(deadLetters: ReadonlyArray<{ name: string; deadLetters?: IQueue }>, relayFailures: IQueue): void {
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead letters',
        left: [
          ...deadLetters.flatMap(({ name, deadLetters: queue }) => (queue === undefined ? [] : [queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, label: name })])),
          relayFailures.metricApproximateNumberOfMessagesVisible({ period: PERIOD, label: 'relay' }),
        ],
      }),
    );
  }

  #alarm(id: string, metric: IMetric, threshold: number, description: string): void {
    this.alarms.push(notifyingAlarm(this, id, { metric, threshold, description, topic: this.alertTopic }));
  }
}

/** `Observers/pager/Dispatcher` for the function at `.../Observers/pager/Dispatcher/Function`. */
function functionName(root: Construct, fn: LambdaFunction): string {
  const relative = fn.node.path.slice(root.node.path.length + 1).split('/');
  return (relative.at(-1) === 'Function' ? relative.slice(0, -1) : relative).join('/') || fn.node.id;
}
