import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnRule } from 'aws-cdk-lib/aws-events';
import { Rule, RuleTargetInput, type IEventBus, type IRule, type IRuleTarget, type RuleTargetConfig } from 'aws-cdk-lib/aws-events';
import { addToDeadLetterQueueResourcePolicy, FirehoseDeliveryStream, LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { toEventPattern, type ObserverFilter } from '#shared/bus/observer-filter.ts';
import { notifyingAlarm } from './alarm.ts';
import { HandlerFunction } from './handler-function.ts';

/**
 * Delivery policy per kind of observer; the local bus mirrors the counts (local/bus/local-bus.ts).
 * For a rule target this covers delivering to it (the SQS delivery queue, Firehose, Lambda).
 */
export const TARGET_POLICY = {
  /** EventBridge's maximum: a day of retries, then the dead-letter queue. */
  required: { retryAttempts: 185, maxEventAge: Duration.hours(24) },
  /** A couple of tries within the hour; the failure is in the observer's own log. */
  optional: { retryAttempts: 2, maxEventAge: Duration.hours(1) },
} as const;

/** How long a required observer keeps being retried on any failure before its event is dead-lettered. */
export const REQUIRED_RETRY_WINDOW = Duration.hours(24);

/**
 * The delivery queue of a required observer: a failed message comes back after the visibility
 * timeout, and after maxReceiveCount receives (about a day in all) moves to the dead-letter queue.
 * The visibility timeout is at least six times the consumer's timeout (AWS's advice for Lambda
 * consumers, so a batch still running is never handed out twice) and at least 5 minutes.
 */
export function deliveryQueuePolicy(consumerTimeout: Duration): { visibilityTimeout: Duration; maxReceiveCount: number } {
  const visibilitySeconds = Math.min(12 * 3600, Math.max(300, 6 * consumerTimeout.toSeconds()));
  return { visibilityTimeout: Duration.seconds(visibilitySeconds), maxReceiveCount: Math.max(5, Math.ceil(REQUIRED_RETRY_WINDOW.toSeconds() / visibilitySeconds)) };
}

export type AddObserverOptions = {
  /** Names the rule, its queues and alarm: 1-40 of [A-Za-z0-9-]. */
  readonly name: string;
  /** A preset, a type list (`custom:*` allowed) or an EventBridge pattern. */
  readonly filter: ObserverFilter;
  /** Required observers get a day of retries on any failure, a dead-letter queue and an alarm on it. @default false */
  readonly required?: boolean;
  /**
   * A required observer of your own: the longest your function runs on one event (its dispatcher
   * waits for it). Set it to your function's timeout if that is longer. @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
};

export type ObserverRule = {
  readonly name: string;
  /** Where the rule and everything made for it live: the RunLedger's stack, or the observer function's own. */
  readonly stack: Stack;
  readonly rule: IRule;
  readonly pattern: Record<string, unknown>;
  /** Required function observers: the queue between the rule and the function. */
  readonly deliveryQueue?: Queue;
  /** Required observers: where events go after a day of failures; redrive them to the delivery queue. */
  readonly deadLetters?: Queue;
  readonly alarm?: Alarm;
  /** Required observers of your own: the function that invokes yours with each queued event. */
  readonly dispatcher?: IFunction;
};

/** A required observer's queues as the dlq command reads them (the `ObserverQueues` output). */
export type ObserverQueueOutput = {
  readonly name: string;
  readonly deadLettersUrl: string;
  readonly deadLettersArn: string;
  readonly deliveryQueueArn?: string;
};

export type ObserverRulesProps = {
  readonly bus: IEventBus;
  readonly alertTopic: ITopic;
  /** For the dispatchers of required observers of your own. */
  readonly stage: string;
  readonly logRetention: RetentionDays;
};

/**
 * Subscriptions as EventBridge rules: one rule per observer with exactly the subscription's
 * pattern (the local bus matches the same one).
 *
 * Required function observers get an SQS queue between the rule and the function. EventBridge
 * invokes a Lambda target asynchronously: the rule's retries and dead-letter queue cover only
 * failures to invoke it, and Lambda retries a function that throws at most twice within 6 hours,
 * then drops the event. A queue retries any failure (invoke or code) for a day (redrive policy),
 * then keeps the event in a dead-letter queue with an alarm, from which it can be redriven.
 * Built-in observers consume their queue themselves (partial batch responses); an observer of
 * your own gets the EventBridge event unchanged, through a small dispatcher that consumes the
 * queue and invokes your function synchronously: the contract (observers get the EventBridge
 * event) holds, and `addObserver` stays one call with no change to your code.
 *
 * Optional observers stay direct Lambda targets: two tries of the rule, two of Lambda, logged.
 * The archive is a Firehose target: once Firehose accepts a record it is durable, so the rule's
 * retries and dead-letter queue cover it.
 *
 * A function of another stack is subscribed from that stack: its rule (on this bus), target,
 * queues, dispatcher and alarm are made there, and only that stack refers to this one (the bus
 * name and ARN, the alert topic). A rule here would import the function's ARN, a cycle as soon as
 * the function's stack uses this stack's outputs, and an export that blocks replacing the function.
 */
export class ObserverRules extends Construct {
  readonly #props: ObserverRulesProps;
  readonly #rules: ObserverRule[] = [];
  /** Per other stack, the construct its observers' resources go under. */
  readonly #remoteScopes = new Map<Stack, Construct>();

  constructor(scope: Construct, id: string, props: ObserverRulesProps) {
    super(scope, id);
    this.#props = props;
  }

  /** Every subscription's pattern: what the relay publishes is derived from these. */
  get patterns(): Array<Record<string, unknown>> {
    return this.#rules.map((rule) => rule.pattern);
  }

  get rules(): readonly ObserverRule[] {
    return this.#rules;
  }

  /** Subscribes a Lambda function of your own, of this stack or another; it gets the EventBridge event. */
  addFunction(fn: IFunction, options: AddObserverOptions): ObserverRule {
    return this.#add(options, this.#parentFor(Stack.of(fn), options.name), (scope, deadLetters) => {
      if (deadLetters === undefined) return { target: new LambdaFunction(fn, TARGET_POLICY.optional) };
      const timeout = options.timeout ?? Duration.minutes(1);
      const dispatcher = new HandlerFunction(scope, 'Dispatcher', {
        handler: 'dispatch-observer',
        stage: this.#props.stage,
        logRetention: this.#props.logRetention,
        timeout,
        environment: { RUNLEDGER_OBSERVER_FUNCTION: fn.functionArn },
      });
      // The unqualified ARN only (grantInvoke would add every version and alias with ':*'): the dispatcher invokes $LATEST.
      dispatcher.function.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }));
      const deliveryQueue = this.#deliveryQueue(scope, dispatcher.function, timeout, deadLetters, options.name);
      return { target: new SqsQueue(deliveryQueue, { ...TARGET_POLICY.required, deadLetterQueue: deadLetters }), deliveryQueue, dispatcher: dispatcher.function };
    });
  }

  /**
   * Subscribes a built-in observer's function (functions/observers.ts). Required: it consumes its
   * delivery queue, so it must run the handler's `sqsHandler` export. Optional: a direct target
   * with Lambda's own retries set to the optional policy.
   */
  addBuiltInFunction(fn: IFunction, options: AddObserverOptions & { readonly timeout: Duration }): ObserverRule {
    return this.#add(options, this, (scope, deadLetters) => {
      if (deadLetters === undefined) {
        fn.configureAsyncInvoke(TARGET_POLICY.optional);
        return { target: new LambdaFunction(fn, TARGET_POLICY.optional) };
      }
      const deliveryQueue = this.#deliveryQueue(scope, fn, options.timeout, deadLetters, options.name);
      return { target: new SqsQueue(deliveryQueue, { ...TARGET_POLICY.required, deadLetterQueue: deadLetters }), deliveryQueue };
    });
  }

  /** Subscribes a Firehose stream (the archive), handing it the event's detail only. */
  addDeliveryStream(stream: IDeliveryStream, options: AddObserverOptions): ObserverRule {
    return this.#add(options, this, (_scope, deadLetters) => ({
      target: withPolicy(new FirehoseDeliveryStream(stream, { message: RuleTargetInput.fromEventPath('$.detail') }), {
        ...(deadLetters === undefined ? TARGET_POLICY.optional : TARGET_POLICY.required),
        ...(deadLetters === undefined ? {} : { deadLetterQueue: deadLetters }),
      }),
    }));
  }

  /**
   * Every required observer's queues, as strings this stack can output without referring to another
   * stack: an observer of another stack has named queues (#queueName), so their URL and ARN are
   * known here; a reference instead would make this stack depend on that one, the cycle again.
   */
  get queueOutputs(): ObserverQueueOutput[] {
    const home = Stack.of(this);
    return this.#rules.flatMap((rule) => {
      if (rule.deadLetters === undefined) return [];
      if (rule.stack === home) {
        return [{ name: rule.name, deadLettersUrl: rule.deadLetters.queueUrl, deadLettersArn: rule.deadLetters.queueArn, ...(rule.deliveryQueue === undefined ? {} : { deliveryQueueArn: rule.deliveryQueue.queueArn }) }];
      }
      // The names themselves: a named queue's queueName/queueArn attributes are still references.
      const arnOf = (role: QueueRole) => home.formatArn({ service: 'sqs', resource: remoteQueueName(this.#props.stage, rule.name, role) });
      const deadLettersUrl = `https://sqs.${home.region}.${home.urlSuffix}/${home.account}/${remoteQueueName(this.#props.stage, rule.name, 'dlq')}`;
      return [{ name: rule.name, deadLettersUrl, deadLettersArn: arnOf('dlq'), ...(rule.deliveryQueue === undefined ? {} : { deliveryQueueArn: arnOf('deliveries') }) }];
    });
  }

  /** This construct for a function of this stack; for one of another stack, a construct of that stack. */
  #parentFor(stack: Stack, name: string): Construct {
    const home = Stack.of(this);
    if (stack === home) return this;
    for (const [mine, theirs] of [[home.account, stack.account], [home.region, stack.region]]) {
      // An EventBridge rule lives in its bus's account and region.
      if (mine !== undefined && theirs !== undefined && !Token.isUnresolved(mine) && !Token.isUnresolved(theirs) && mine !== theirs) {
        throw new Error(`addObserver: '${name}' is in stack ${stack.stackName} (${theirs}), the bus in ${home.stackName} (${mine}): a rule must be in its bus's account and region`);
      }
    }
    let parent = this.#remoteScopes.get(stack);
    if (parent === undefined) {
      parent = new Construct(stack, `RunLedgerObservers-${this.#props.stage}`);
      this.#remoteScopes.set(stack, parent);
    }
    return parent;
  }

  #add(
    options: AddObserverOptions,
    parent: Construct,
    targetFor: (scope: Construct, deadLetters: Queue | undefined) => { target: IRuleTarget; deliveryQueue?: Queue; dispatcher?: IFunction },
  ): ObserverRule {
    if (!/^[A-Za-z0-9-]{1,40}$/.test(options.name)) throw new Error(`addObserver: name '${options.name}' must be 1-40 of [A-Za-z0-9-]`);
    if (this.#rules.some((existing) => existing.name === options.name)) throw new Error(`addObserver: an observer named '${options.name}' exists already`);
    const pattern = toEventPattern(options.filter);
    const scope = new Construct(parent, options.name);
    const rule = new Rule(scope, 'Rule', { eventBus: this.#props.bus, description: `runledger observer ${options.name}`, eventPattern: { source: ['runledger'] } });
    // The typed EventPattern cannot say everything EventBridge can ($or, nested operators): the rule gets the pattern as is.
    (rule.node.defaultChild as CfnRule).eventPattern = pattern;

    let deadLetters: Queue | undefined;
    let alarm: Alarm | undefined;
    if (options.required === true) {
      deadLetters = new Queue(scope, 'DeadLetters', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14), ...this.#queueName(scope, options.name, 'dlq') });
      Validations.of(deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of an observer.' });
      alarm = notifyingAlarm(scope, 'DeadLettersAlarm', {
        metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        threshold: 1,
        description: `observer ${options.name} dead-lettered events: it failed on them for a day (npm run dlq -- redrive --aws)`,
        topic: this.#props.alertTopic,
      });
    }
    const { target, ...created } = targetFor(scope, deadLetters);
    rule.addTarget(target);
    const added: ObserverRule = { name: options.name, stack: Stack.of(scope), rule, pattern, ...created, ...(deadLetters === undefined ? {} : { deadLetters }), ...(alarm === undefined ? {} : { alarm }) };
    this.#rules.push(added);
    return added;
  }

  /** Queues of this stack keep generated names: naming them now would replace deployed queues. */
  #queueName(scope: Construct, name: string, role: QueueRole): { queueName?: string } {
    return Stack.of(scope) === Stack.of(this) ? {} : { queueName: remoteQueueName(this.#props.stage, name, role) };
  }

  #deliveryQueue(scope: Construct, consumer: IFunction, consumerTimeout: Duration, deadLetters: Queue, name: string): Queue {
    const { visibilityTimeout, maxReceiveCount } = deliveryQueuePolicy(consumerTimeout);
    const queue = new Queue(scope, 'Deliveries', {
      ...this.#queueName(scope, name, 'deliveries'),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      // Longer than the retry window; the dead-letter queue keeps longer still (SQS ages a moved message from its first enqueue).
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount },
    });
    consumer.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
    return queue;
  }
}

type QueueRole = 'dlq' | 'deliveries';

/**
 * The name of a queue made in another stack: `runledger-<stage>-<observer>-<role>`, at most 78
 * characters (stage <= 16, observer <= 40; SQS allows 80), unique in the account and region as the
 * stage's bus name is. Named so the RunLedger stack can output its URL and ARN without referring
 * to that stack (queueOutputs).
 */
export function remoteQueueName(stage: string, observer: string, role: QueueRole): string {
  return `runledger-${stage}-${observer}-${role}`;
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
