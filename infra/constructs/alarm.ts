import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IRule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export type NotifyingAlarmProps = {
  readonly metric: IMetric;
  /** Alarms at or above this value (below it with `below`), in `evaluationPeriods` periods in a row (the metric's own period). */
  readonly threshold: number;
  /** Periods in a row the metric must breach. @default 1 */
  readonly evaluationPeriods?: number;
  /** `below` for metrics where less is worse (a success ratio). @default 'at-or-above' */
  readonly comparison?: 'at-or-above' | 'below';
  /** What it means, in the words of whoever is paged. */
  readonly description: string;
  /**
   * Where the alarm goes (the alert topic, with its customer-managed key). It may live in another
   * stack than `scope`: the alarm then imports the topic's ARN, which needs no grant, since the
   * topic's key lets CloudWatch publish from any alarm of the account.
   */
  readonly topic: ITopic;
};

/**
 * The one way runledger makes an alarm: at or above the threshold (in one period unless told), no data is not a
 * breach (a queue that is never used stays quiet), and every state change goes to the alert topic.
 * The alarm is created in `scope`'s stack, whatever stack the topic is in, so a construct of another
 * stack (an observer's own) gets its alarms beside its resources with no reference back into it.
 */
export function notifyingAlarm(scope: Construct, id: string, props: NotifyingAlarmProps): Alarm {
  const alarm = new Alarm(scope, id, {
    metric: props.metric,
    threshold: props.threshold,
    evaluationPeriods: props.evaluationPeriods ?? 1,
    comparisonOperator: props.comparison === 'below' ? ComparisonOperator.LESS_THAN_THRESHOLD : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: props.description,
  });
  alarm.addAlarmAction(new SnsAction(props.topic));
  return alarm;
}

const PERIOD = Duration.minutes(5);

/** A function's errors (it threw, timed out or ran out of memory) in 5 minutes: any one pages. */
export function functionErrorsAlarm(scope: Construct, id: string, fn: IFunction, name: string, topic: ITopic, description?: string): Alarm {
  ALARMED.add(fn);
  return notifyingAlarm(scope, id, {
    metric: fn.metricErrors({ period: PERIOD }),
    threshold: 1,
    description: description ?? `function ${name} failed (threw, timed out or ran out of memory): see its log group`,
    topic,
  });
}

/** An EventBridge rule's delivery metrics, by the dimension EventBridge reports them under. */
export function ruleMetric(rule: IRule, metricName: 'Invocations' | 'FailedInvocations' | 'InvocationsFailedToBeSentToDlq', label?: string): Metric {
  return new Metric({ namespace: 'AWS/Events', metricName, dimensionsMap: { RuleName: rule.ruleName }, statistic: 'Sum', period: PERIOD, ...(label === undefined ? {} : { label }) });
}

/** Functions that already have their errors alarm, so a sweep over every function (Operations) skips them. */
const ALARMED = new WeakSet<IFunction>();

/** True once `functionErrorsAlarm` made an alarm for `fn`, in any stack. */
export function hasErrorsAlarm(fn: IFunction): boolean {
  return ALARMED.has(fn);
}

/** What one observer subscription consists of, in whichever stack its rule lives. */
export type ObservedSubscription = {
  readonly name: string;
  readonly rule: IRule;
  /** Required observers: where events go after a day of failures (the rule's own dead-letter queue when it has one). */
  readonly deadLetters?: IQueue;
  /** Required observers of your own: the function that invokes yours with each queued event. */
  readonly dispatcher?: IFunction;
};

/**
 * The delivery alarms of one observer, created in `scope` (put it in the observer's own stack,
 * beside its rule): the rule could not deliver after its retries (FailedInvocations), or could not
 * even keep a failed event in its dead-letter queue (InvocationsFailedToBeSentToDlq: the event is
 * lost); and the dispatcher's errors. Nothing in it refers to the RunLedger stack but the topic's
 * ARN. (The dead-letter depth alarm comes with the queue, in ObserverRules.)
 */
export class ObserverAlarms extends Construct {
  public readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, subscription: ObservedSubscription, topic: ITopic) {
    super(scope, id);
    const { name, rule } = subscription;
    this.alarms.push(
      notifyingAlarm(this, 'FailedInvocations', {
        metric: ruleMetric(rule, 'FailedInvocations'),
        threshold: 1,
        description: `EventBridge could not deliver events to observer ${name} after its retries${subscription.deadLetters === undefined ? ' (optional: they are dropped)' : ' (they went to its dead-letter queue)'}`,
        topic,
      }),
      notifyingAlarm(this, 'FailedToDeadLetter', {
        metric: ruleMetric(rule, 'InvocationsFailedToBeSentToDlq'),
        threshold: 1,
        description: `EventBridge could not put undeliverable events of observer ${name} in its dead-letter queue: those events are lost (check the queue's policy and encryption)`,
        topic,
      }),
    );
    if (subscription.dispatcher !== undefined) this.alarms.push(functionErrorsAlarm(this, 'DispatcherErrors', subscription.dispatcher, `${name} dispatcher`, topic));
  }
}
