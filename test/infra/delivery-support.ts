import type { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { deliveryQueuePolicy } from '#infra/constructs/observer-rules.ts';

export type Resource = { Type: string; Properties: Record<string, unknown> };

/** The logical id a Ref or Fn::GetAtt points at. */
export const refOf = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('Ref' in value && typeof value.Ref === 'string') return value.Ref;
  if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt']) && typeof value['Fn::GetAtt'][0] === 'string') return value['Fn::GetAtt'][0];
  return undefined;
};

/** Lookups over one stack's template, shared by the delivery tests (one stack, two stacks, a hundred observers). */
export function inspectTemplate(template: Template) {
  const resources = (type: string): Array<[string, Resource]> => Object.entries(template.findResources(type)) as Array<[string, Resource]>;
  const resource = (id: string | undefined): Resource => {
    const found = id === undefined ? undefined : (template.toJSON() as { Resources: Record<string, Resource> }).Resources[id];
    if (found === undefined) throw new Error(`no resource ${id}`);
    return found;
  };
  const findTarget = (observer: string): Record<string, unknown> | undefined => {
    const [, rule] = resources('AWS::Events::Rule').find(([, r]) => r.Properties.Description === `runledger observer ${observer}`) ?? [];
    const [target] = (rule?.Properties.Targets ?? []) as Array<Record<string, unknown>>;
    return target;
  };
  const targetOf = (observer: string): Record<string, unknown> => {
    const target = findTarget(observer);
    if (target === undefined) throw new Error(`no target for observer ${observer}`);
    return target;
  };
  const functionWith = (service: string, environment?: Record<string, unknown>): [string, Resource] => {
    const found = resources('AWS::Lambda::Function').find(([, f]) => {
      const text = JSON.stringify(f.Properties.Environment ?? {});
      return text.includes(`"runledger-${service}"`) && (environment === undefined || text.includes(JSON.stringify(environment).slice(1, -1)));
    });
    if (found === undefined) throw new Error(`no function runledger-${service}`);
    return found;
  };
  const policyStatementsOf = (functionId: string) => {
    const role = refOf(resource(functionId).Properties.Role);
    return resources('AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(`"${role}"`))
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement);
  };

  /**
   * What a required function observer must have: rule -> delivery queue (a day of redrives) -> consumer, then the DLQ with its alarm.
   * `alertTopic`: how this stack names the alert topic (a Ref in its own stack, an import in another).
   */
  function expectQueuedDelivery(observer: string, consumerId: string, consumerTimeout: Duration, alertTopic: unknown = { Ref: expect.stringMatching(/AlertTopic/) }) {
    const target = targetOf(observer);
    expect(target).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 }, DeadLetterConfig: { Arn: expect.anything() } });
    const queueId = refOf(target.Arn);
    const queue = resource(queueId);
    expect(queue.Type).toBe('AWS::SQS::Queue');
    const { visibilityTimeout, maxReceiveCount } = deliveryQueuePolicy(consumerTimeout);
    expect(queue.Properties).toMatchObject({ VisibilityTimeout: visibilityTimeout.toSeconds(), SqsManagedSseEnabled: true, RedrivePolicy: { maxReceiveCount } });
    // Retried for about a day on any failure before the dead-letter queue.
    expect(visibilityTimeout.toSeconds() * maxReceiveCount).toBeGreaterThanOrEqual(86_400);
    expect(visibilityTimeout.toSeconds() * maxReceiveCount).toBeLessThan(86_400 + visibilityTimeout.toSeconds());
    const deadLettersId = refOf((queue.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn);
    // The rule's own dead letters (failures to put on the queue) land in the same queue as the redriven ones.
    expect(refOf((target.DeadLetterConfig as { Arn: unknown }).Arn)).toBe(deadLettersId);
    expect(resource(deadLettersId).Properties).toMatchObject({ MessageRetentionPeriod: 14 * 86_400 });
    // The consumer takes the queue with partial batch responses.
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: consumerId },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    // An alarm on the dead-letter queue, to the alert topic.
    const alarm = resources('AWS::CloudWatch::Alarm').find(([, a]) => JSON.stringify(a.Properties.Dimensions ?? []).includes(`"${deadLettersId}"`));
    expect(alarm?.[1].Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, AlarmActions: [alertTopic] });
    return { queueId, deadLettersId };
  }

  return { resources, resource, findTarget, targetOf, functionWith, policyStatementsOf, expectQueuedDelivery };
}
