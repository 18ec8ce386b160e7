import { Duration, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionErrorsAlarm, notifyingAlarm } from './alarm.ts';
import type { EventStoreTable } from './event-store-table.ts';
import { HandlerFunction } from './handler-function.ts';

/** The environment key `recordDeliveries` (runledger/observer) reads the queue's URL from. */
export const LEDGER_QUEUE_URL_KEY = 'RUNLEDGER_LEDGER_QUEUE_URL';

/**
 * How the writer takes the queue: up to a thousand messages a batch, gathered for up to 5 s. The
 * longer the window, the more deliveries of a run share a write (and the later they show in the
 * ledger); the benchmark hands batches to the handler by the same numbers.
 */
export const LEDGER_BATCHING = { batchSize: 1000, maxBatchingWindow: Duration.seconds(5) } as const;

export type LedgerQueueProps = {
  /** The events table; the writer may only add to the delivered blocks (`W#` items, UpdateItem). */
  readonly events: EventStoreTable;
  /** Where the writer's errors and the dead letters are alarmed. */
  readonly alertTopic: ITopic;
  readonly stage: string;
  /** @default RetentionDays.ONE_MONTH (HandlerFunction's) */
  readonly logRetention?: RetentionDays;
};

/**
 * Observer deliveries on their way to the ledger, in AWS. An observer invoked once per event (an
 * optional one, a direct EventBridge target; one of your own, invoked by its dispatcher) would
 * write the ledger once per event; instead its `recordDeliveries` middleware sends the invocation's
 * successes as one message here, and the ledger writer (functions/write-ledger) merges a batch of
 * up to a thousand into one write per (run, subscriber, 128-seq block). Failures are still written
 * by the observer itself, one by one. Encrypted, TLS only; a message the writer fails on five times
 * rests in the dead-letter queue; the writer's errors and the dead letters are alarmed.
 */
export class LedgerQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetters: Queue;
  public readonly writer: HandlerFunction;
  public readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: LedgerQueueProps) {
    super(scope, id);
    // A thousand blocks' UpdateItems, 50 sockets at a time, with the SDK's retries: well under a minute.
    const timeout = Duration.minutes(1);
    this.deadLetters = new Queue(this, 'DeadLetters', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(this.deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the ledger queue.' });
    this.queue = new Queue(this, 'Messages', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // AWS's advice for a Lambda consumer: at least six times its timeout, so a running batch is never handed out twice.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });
    this.writer = new HandlerFunction(this, 'Writer', {
      handler: 'write-ledger',
      stage: props.stage,
      timeout,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
    });
    props.events.bind(this.writer.function, 'delivered-writer');
    this.writer.function.addEventSource(new SqsEventSource(this.queue, { ...LEDGER_BATCHING, reportBatchItemFailures: true }));
    this.alarms = [
      functionErrorsAlarm(this, 'WriterErrors', this.writer.function, 'the ledger writer', props.alertTopic, `runledger ${props.stage}: the ledger writer failed (threw, timed out): observer deliveries are late in GET /v1/runs/{runId}/deliveries; see its log group`),
      notifyingAlarm(this, 'DeadLettersAlarm', {
        metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        threshold: 1,
        description: `runledger ${props.stage}: ledger messages the writer failed on five times are in its dead-letter queue: those deliveries happened but are missing from the ledger (see the writer's log group; redrive them to the ledger queue once fixed)`,
        topic: props.alertTopic,
      }),
    ];
  }

  /**
   * Lets an observer function send its deliveries here: sets RUNLEDGER_LEDGER_QUEUE_URL and grants
   * sqs:SendMessage on this queue only, in one call so the two cannot drift. The function may be
   * of another stack: that stack then refers to this one (the queue's URL and ARN), as it does for
   * the bus and the table already, never the other way round.
   */
  bind(fn: LambdaFunction): void {
    fn.addEnvironment(LEDGER_QUEUE_URL_KEY, this.queue.queueUrl);
    this.grantSend(fn);
  }

  /** sqs:SendMessage on this queue only: for a function CDK cannot set the environment of (an imported one), with the URL set by its owner. */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
  }
}
