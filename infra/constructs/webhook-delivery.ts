import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEAD_DELIVERY_LOG_MESSAGE } from '#shared/webhooks/delivery-job.ts';
import { functionErrorsAlarm, notifyingAlarm } from './alarm.ts';
import type { EventStoreTable } from './event-store-table.ts';
import { HandlerFunction } from './handler-function.ts';

export type WebhookDeliveryProps = {
  readonly events: EventStoreTable;
  readonly alertTopic: ITopic;
  readonly stage: string;
  readonly logRetention?: RetentionDays;
  /** The functions that put jobs on the delivery queue (the fan-out observer, replay and redrive). */
  readonly producers: readonly LambdaFunction[];
  /** One attempt's timeout (RUNLEDGER_WEBHOOK_TIMEOUT_MS). @default Duration.seconds(10) */
  readonly sendTimeout?: Duration;
};

/** How long a replay slice may keep starting sends: what the worker's timeout leaves after one more send and 10 s of reads and writes. */
export function replaySliceOf(timeout: Duration, sendTimeout: Duration): Duration {
  return Duration.millis(Math.max(1000, timeout.toMilliseconds() - sendTimeout.toMilliseconds() - 10_000));
}

/**
 * Webhook deliveries: the job queue (one message per event and subscription, or one per replay
 * walking a run in seq order; a retry is the same job sent again with a delay), the worker that signs and sends them, its dead-letter queue for
 * jobs that could not even be attempted, and the alarms: a delivery dead after its schedule,
 * worker errors, jobs waiting too long. The fan-out (bus -> jobs) is a required built-in observer
 * of every event, subscribed by RunLedger like the others.
 */
export class WebhookDelivery extends Construct {
  public readonly queue: Queue;
  public readonly deadLetters: Queue;
  public readonly worker: HandlerFunction;

  constructor(scope: Construct, id: string, props: WebhookDeliveryProps) {
    super(scope, id);
    const sendTimeout = props.sendTimeout ?? Duration.seconds(10);
    // A batch of 10 runs in parallel: the slowest send, plus the ledger write and the retries' SendMessage.
    const timeout = Duration.seconds(sendTimeout.toSeconds() + 20);
    // A replay slice stops starting sends after this; its last send may take the send timeout more, and 10 s are left for its reads and writes.
    const replaySlice = replaySliceOf(timeout, sendTimeout);
    this.deadLetters = new Queue(this, 'DeadLetters', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.queue = new Queue(this, 'Jobs', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });
    this.worker = new HandlerFunction(this, 'Worker', {
      handler: 'deliver-webhooks',
      stage: props.stage,
      timeout,
      environment: { RUNLEDGER_WEBHOOK_QUEUE_URL: this.queue.queueUrl, RUNLEDGER_WEBHOOK_TIMEOUT_MS: String(sendTimeout.toMilliseconds()), RUNLEDGER_WEBHOOK_REPLAY_SLICE_MS: String(replaySlice.toMilliseconds()) },
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
    });
    props.events.bind(this.worker.function, 'webhook-manager');
    // Replays read the run's events from the event store (a Query of the run's own items), nothing else of the run.
    props.events.bind(this.worker.function, 'event-reader');
    this.worker.function.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, maxBatchingWindow: Duration.seconds(1), reportBatchItemFailures: true }));
    // Retries go back on the queue with their delay.
    this.queue.grantSendMessages(this.worker.function);
    for (const producer of props.producers) {
      this.queue.grantSendMessages(producer);
      producer.addEnvironment('RUNLEDGER_WEBHOOK_QUEUE_URL', this.queue.queueUrl);
    }

    new MetricFilter(this, 'DeadDeliveries', {
      logGroup: this.worker.logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', DEAD_DELIVERY_LOG_MESSAGE),
      metricNamespace: `runledger/${props.stage}`,
      metricName: 'WebhookDeliveriesDead',
      metricValue: '1',
    });
    notifyingAlarm(this, 'DeadDeliveriesAlarm', {
      metric: new Metric({ namespace: `runledger/${props.stage}`, metricName: 'WebhookDeliveriesDead', statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 1,
      description: `runledger ${props.stage}: a webhook delivery is dead after its whole retry schedule; GET /v1/runs/{runId}/deliveries?status=dead shows it, POST /v1/subscriptions/{id}/redrive sends it again`,
      topic: props.alertTopic,
    });
    functionErrorsAlarm(this, 'WorkerErrors', this.worker.function, 'the webhook delivery worker', props.alertTopic);
    notifyingAlarm(this, 'QueueAge', {
      // A retry waits up to 4 hours by design, but SQS counts a message's age from its last send: a job older than an hour is one nobody is working.
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 3600,
      evaluationPeriods: 3,
      description: `runledger ${props.stage}: webhook jobs have waited over an hour (the worker is failing or throttled)`,
      topic: props.alertTopic,
    });
    notifyingAlarm(this, 'DeadLettersAlarm', {
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 1,
      description: `runledger ${props.stage}: webhook jobs the worker could not run five times are in the dead-letter queue`,
      topic: props.alertTopic,
    });
  }
}
