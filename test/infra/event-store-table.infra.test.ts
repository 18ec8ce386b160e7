import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createTableInput } from '#adapters/dynamodb/table-definition.ts';
import { RunLedgerStack } from '#infra/runledger-stack.ts';

const template = Template.fromStack(new RunLedgerStack(new App(), 'Test'));

describe('events table in AWS', () => {
  it('has the key schema, attributes and stream the local stack creates', () => {
    const local = createTableInput('any');
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: local.KeySchema,
      AttributeDefinitions: Match.arrayEquals(local.AttributeDefinitions ?? []),
      StreamSpecification: { StreamViewType: local.StreamSpecification?.StreamViewType },
      BillingMode: 'PAY_PER_REQUEST',
    });
    expect(local.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('is encrypted, recoverable to a point in time, expires items by TTL and is kept on stack deletion', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
  });
});
