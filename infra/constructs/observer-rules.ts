import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { CfnRule} from 'aws-cdk-lib/aws-events';
import { Rule, RuleTargetInput, type IEventBus, type IRule, type IRuleTarget, type RuleTargetConfig } from 'aws-cdk-lib/aws-events';
import { addToDeadLetterQueueResourcePolicy, FirehoseDeliveryStream, LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { toEventPattern, type ObserverFilter } from '#shared/bus/observer-filter.ts';

/** Delivery policy per kind of observer; the local bus mirrors the counts (local/bus/local-bus.ts). */
export const TARGET_POLICY = {
  /** EventBridge's maximum: a day of retries, then the dead-letter queue. */
  required: { retryAttempts: 185, maxEventAge: Duration.hours(24) },
  /** A couple of tries within the hour; the failure is in the observer's own log. */
  optional: { retryAttempts: 2, maxEventAge: Duration.hours(1) },
} as const;

export type AddObserverOptions = {
  /** Names the rule, its dead-letter queue and alarm: 1-40 of [A-Za-z0-9-]. */
  readonly name: string;
  /** A preset, a type list (`custom:*` allowed) or an EventBridge pattern. */
  readonly filter: ObserverFilter;
  /** Required observers get a day of retries, a dead-letter queue and an alarm on it. @default false */
  readonly required?: boolean;
};

export type ObserverRule = { readonly rule: IRule; readonly pattern: Record<string, unknown>; readonly deadLetters?: Queue; readonly alarm?: Alarm };

export type ObserverRulesProps = { readonly bus: IEventBus; readonly alertTopic: ITopic };

/**
 * Subscriptions as EventBridge rules: one rule per observer with exactly the subscription's
 * pattern (the local bus matches the same one), its target with the retry policy of its kind,
 * and for required observers an encrypted SQS dead-letter queue with an alarm when it is not empty.
 */
export class ObserverRules extends Construct {
  readonly #bus: IEventBus;
  readonly #alertTopic: ITopic;
  readonly #rules: ObserverRule[] = [];

  constructor(scope: Construct, id: string, props: ObserverRulesProps) {
    super(scope, id);
    this.#bus = props.bus;
    this.#alertTopic = props.alertTopic;
  }

  /** Every subscription's pattern: what the relay publishes is derived from these. */
  get patterns(): Array<Record<string, unknown>> {
    return this.#rules.map((rule) => rule.pattern);
  }

  get rules(): readonly ObserverRule[] {
    return this.#rules;
  }

  /** Subscribes a Lambda function, of this stack or another. */
  addFunction(fn: IFunction, options: AddObserverOptions): ObserverRule {
    return this.#add(options, (policy) => new LambdaFunction(fn, policy));
  }

  /** Subscribes a Firehose stream (the archive), handing it the event's detail only. */
  addDeliveryStream(stream: IDeliveryStream, options: AddObserverOptions): ObserverRule {
    return this.#add(options, (policy) => withPolicy(new FirehoseDeliveryStream(stream, { message: RuleTargetInput.fromEventPath('$.detail') }), policy));
  }

  #add(options: AddObserverOptions, target: (policy: TargetPolicy) => IRuleTarget): ObserverRule {
    if (!/^[A-Za-z0-9-]{1,40}$/.test(options.name)) throw new Error(`addObserver: name '${options.name}' must be 1-40 of [A-Za-z0-9-]`);
    if (this.#rules.some((existing) => existing.rule.node.id === options.name)) throw new Error(`addObserver: an observer named '${options.name}' exists already`);
    const pattern = toEventPattern(options.filter);
    const required = options.required ?? false;
    const scope = new Construct(this, options.name);
    const rule = new Rule(scope, 'Rule', { eventBus: this.#bus, description: `runledger observer ${options.name}`, eventPattern: { source: ['runledger'] } });
    // The typed EventPattern cannot say everything EventBridge can ($or, nested operators): the rule gets the pattern as is.
    (rule.node.defaultChild as CfnRule).eventPattern = pattern;

    let deadLetters: Queue | undefined;
    let alarm: Alarm | undefined;
    if (required) {
      deadLetters = new Queue(scope, 'DeadLetters', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
      Validations.of(deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of an observer rule.' });
      alarm = new Alarm(scope, 'DeadLettersAlarm', {
        metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `observer ${options.name} dead-lettered events: it failed on them for a day`,
      });
      alarm.addAlarmAction(new SnsAction(this.#alertTopic));
    }
    const policy = { ...(required ? TARGET_POLICY.required : TARGET_POLICY.optional), ...(deadLetters === undefined ? {} : { deadLetterQueue: deadLetters }) };
    rule.addTarget(target(policy));
    const added: ObserverRule = { rule, pattern, ...(deadLetters === undefined ? {} : { deadLetters }), ...(alarm === undefined ? {} : { alarm }) };
    this.#rules.push(added);
    return added;
  }
}

type TargetPolicy = { retryAttempts: number; maxEventAge: Duration; deadLetterQueue?: Queue };

/** Targets whose L2 has no retry or dead-letter settings get them on their rule target config. */
function withPolicy(target: IRuleTarget, policy: TargetPolicy): IRuleTarget {
  return {
    bind: (rule: IRule, id?: string): RuleTargetConfig => {
      if (policy.deadLetterQueue !== undefined) addToDeadLetterQueueResourcePolicy(rule, policy.deadLetterQueue);
      return {
        ...target.bind(rule, id),
        retryPolicy: { maximumRetryAttempts: policy.retryAttempts, maximumEventAgeInSeconds: policy.maxEventAge.toSeconds() },
        ...(policy.deadLetterQueue === undefined ? {} : { deadLetterConfig: { arn: policy.deadLetterQueue.queueArn } }),
      };
    },
  };
}
