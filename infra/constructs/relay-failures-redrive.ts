import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunctionResource } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REDRIVE_TIME_RESERVE_MS } from '#shared/defaults.ts';
import { functionErrorsAlarm } from './alarm.ts';
import type { EventStoreTable } from './event-store-table.ts';

export type RelayFailuresRedriveProps = {
  /** The `redrive-relay-failures` handler's function; its timeout bounds a pass (less the handler's reserve). */
  readonly function: LambdaFunctionResource;
  /** Where the relay keeps what it could not publish. */
  readonly failures: IQueue;
  /** The events table: the failures' events are read back from it by seq. */
  readonly events: EventStoreTable;
  /** The bus the events are published to again. */
  readonly bus: IEventBus;
  /** Where the alarm on the function's errors goes. */
  readonly alertTopic: ITopic;
  /** How often a pass runs. @default Duration.minutes(5) */
  readonly interval?: Duration;
};

/** The failures queue calls a redrive's function needs: take, give back (visibility 0), delete, count. */
export const REDRIVE_QUEUE_ACTIONS = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/**
 * Publishes again, on a schedule, what the relay kept after its retries, so a brief EventBridge
 * outage heals by itself. A failed pass is retried by neither the rule nor Lambda's async retries:
 * the next pass covers the same failures (nothing is deleted before it was published). The
 * function may only consume that queue, query run partitions of the table and put on that bus;
 * its errors (it could not read the queue or the table) are alarmed.
 */
export class RelayFailuresRedrive extends Construct {
  public readonly schedule: Rule;
  public readonly errorsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: RelayFailuresRedriveProps) {
    super(scope, id);
    const fn = props.function;
    const interval = props.interval ?? Duration.minutes(5);
    const timeout = fn.timeout ?? Duration.seconds(3);
    if (timeout.toMilliseconds() <= REDRIVE_TIME_RESERVE_MS) {
      throw new Error(`RelayFailuresRedrive: the function's timeout (${timeout.toSeconds()} s) must exceed the handler's ${REDRIVE_TIME_RESERVE_MS / 1000} s reserve; give it e.g. Duration.minutes(2)`);
    }
    if (timeout.toMilliseconds() > interval.toMilliseconds()) {
      throw new Error(`RelayFailuresRedrive: the function's timeout (${timeout.toSeconds()} s) must not exceed the interval (${interval.toSeconds()} s), so passes do not overlap`);
    }

    props.events.bind(fn, 'event-reader');
    fn.addEnvironment('RUNLEDGER_RELAY_FAILURES_QUEUE_URL', props.failures.queueUrl);
    fn.addEnvironment('RUNLEDGER_EVENT_BUS_NAME', props.bus.eventBusName);
    fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: REDRIVE_QUEUE_ACTIONS, resources: [props.failures.queueArn] }));
    fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['events:PutEvents'], resources: [props.bus.eventBusArn] }));

    const maxEventAge = Duration.seconds(Math.max(60, interval.toSeconds()));
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge });
    this.schedule = new Rule(this, 'Schedule', {
      description: 'runledger: publish again what the relay could not publish after its retries',
      schedule: Schedule.rate(interval),
      targets: [new LambdaFunction(fn, { retryAttempts: 0, maxEventAge })],
    });
    this.errorsAlarm = functionErrorsAlarm(
      this,
      'Errors',
      fn,
      'redrive-relay-failures',
      props.alertTopic,
      'the scheduled relay failures redrive failed (could not read the failures queue or the table): kept events wait for a pass that works, or npm run dlq -- redrive --aws',
    );
  }
}
