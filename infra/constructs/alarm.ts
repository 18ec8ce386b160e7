import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

export type NotifyingAlarmProps = {
  readonly metric: IMetric;
  /** Alarms at or above this value, in `evaluationPeriods` periods in a row (the metric's own period). */
  readonly threshold: number;
  /** Periods in a row the metric must breach. @default 1 */
  readonly evaluationPeriods?: number;
  /** What it means, in the words of whoever is paged. */
  readonly description: string;
  /** Where the alarm goes (the alert topic, with its customer-managed key). */
  readonly topic: ITopic;
};

/**
 * The one way runledger makes an alarm: at or above the threshold (in one period unless told), no data is not a
 * breach (a queue that is never used stays quiet), and every state change goes to the alert topic.
 */
export function notifyingAlarm(scope: Construct, id: string, props: NotifyingAlarmProps): Alarm {
  const alarm = new Alarm(scope, id, {
    metric: props.metric,
    threshold: props.threshold,
    evaluationPeriods: props.evaluationPeriods ?? 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: props.description,
  });
  alarm.addAlarmAction(new SnsAction(props.topic));
  return alarm;
}
