import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { endpointOverride } from '#adapters/aws/endpoint.ts';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { lambdaRoot } from '../runtime/lambda-root.ts';
import { makeRedriveRelayFailuresHandler } from './redrive-relay-failures.ts';

/**
 * The Lambda entry CDK bundles: SQS to take the kept failures, DynamoDB to read their events back,
 * EventBridge to publish them.
 */
export const handler = makeRedriveRelayFailuresHandler(
  lambdaRoot((config) => ({
    dynamoDb: makeDynamoDbClient({ region: config.AWS_REGION, endpoint: config.RUNLEDGER_DYNAMODB_ENDPOINT }),
    eventBridge: new EventBridgeClient({ region: config.AWS_REGION, ...endpointOverride(config.RUNLEDGER_EVENTBRIDGE_ENDPOINT) }),
    sqs: new SQSClient({ region: config.AWS_REGION }),
  })),
);
