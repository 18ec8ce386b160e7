import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, MathExpression, Metric, type Alarm, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IRule } from 'aws-cdk-lib/aws-events';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { notifyingAlarm } from './alarm.ts';

export type OperationsProps = {
  readonly stage: string;
  readonly api: RestApi;
  /** The ingest function: its errors and throttles are alarmed. */
  readonly ingest: IFunction;
  /** Every function, for the dashboard. */
  readonly functions: Record<string, IFunction>;
  /** Where alarms and alerts go by email. @default no subscription */
  readonly alertEmail?: string;
};

/**
 * The alert topic (encrypted with its own customer-managed key, TLS only), the alarms that page someone (API 5xx rate, ingest
 * errors, throttles) and a dashboard (ingest rate, latency, errors). Alarms for the relay and
 * observer DLQs join as those functions land.
 */
export class Operations extends Construct {
  public readonly alertTopic: Topic;
  /** The alert topic's key: CloudWatch and EventBridge may use it to publish there. */
  public readonly alertKey: Key;
  public readonly dashboard: Dashboard;
  public readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
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

    const period = Duration.minutes(5);
    const requests = props.api.metricCount({ period });
    const serverErrors = props.api.metricServerError({ period });
    const errorRate = new MathExpression({ expression: 'IF(requests > 0, 100 * errors / requests, 0)', usingMetrics: { errors: serverErrors, requests }, period, label: '5xx %' });

    this.#alarm('ApiServerErrorRate', errorRate, 1, 'API 5xx responses above 1% of requests');
    this.#alarm('IngestErrors', props.ingest.metricErrors({ period }), 1, 'the ingest function failed (not a rejected event: an error)');
    this.#alarm('IngestThrottles', props.ingest.metricThrottles({ period }), 1, 'Lambda throttled the ingest function');
    this.#alarm('ApiClientErrors', props.api.metricClientError({ period }), 1_000, 'over 1000 4xx answers in 5 minutes: clients failing auth, rejected or throttled (429)');

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `runledger-${props.stage}` });
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Ingest requests', left: [requests] }),
      new GraphWidget({ title: 'API latency (p50, p99)', left: [props.api.metricLatency({ period, statistic: 'p50' }), props.api.metricLatency({ period, statistic: 'p99' })] }),
      new GraphWidget({ title: 'API errors', left: [props.api.metricClientError({ period }), serverErrors] }),
      new GraphWidget({ title: 'Function errors', left: Object.values(props.functions).map((fn) => fn.metricErrors({ period })) }),
      new GraphWidget({ title: 'Function duration p99', left: Object.values(props.functions).map((fn) => fn.metricDuration({ period, statistic: 'p99' })) }),
    );
  }

  /** Deliveries per observer (invocations, failures) and dead-letter depth, beside the ingest widgets. */
  addDeliveryWidgets(observers: ReadonlyArray<{ name: string; rule: IRule; deadLetters?: IQueue }>, relayFailures: IQueue): void {
    const period = Duration.minutes(5);
    const ruleMetric = (name: string, rule: IRule, metricName: string) =>
      new Metric({ namespace: 'AWS/Events', metricName, dimensionsMap: { RuleName: rule.ruleName }, statistic: 'Sum', period, label: `${name} ${metricName}` });
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Observer deliveries', left: observers.map(({ name, rule }) => ruleMetric(name, rule, 'Invocations')) }),
      new GraphWidget({ title: 'Observer failed deliveries', left: observers.map(({ name, rule }) => ruleMetric(name, rule, 'FailedInvocations')) }),
      new GraphWidget({
        title: 'Dead letters',
        left: [
          ...observers.flatMap(({ name, deadLetters }) => (deadLetters === undefined ? [] : [deadLetters.metricApproximateNumberOfMessagesVisible({ period, label: name })])),
          relayFailures.metricApproximateNumberOfMessagesVisible({ period, label: 'relay' }),
        ],
      }),
    );
  }

  #alarm(id: string, metric: IMetric, threshold: number, description: string): void {
    this.alarms.push(notifyingAlarm(this, id, { metric, threshold, description, topic: this.alertTopic }));
  }
}
