import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { endpointOverride } from '#adapters/aws/endpoint.ts';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { lambdaRoot } from '../runtime/lambda-root.ts';
import { makeRelayHandler } from './relay.ts';

/**
 * The Lambda entry CDK bundles: EventBridge to publish, SQS to keep what could not be published,
 * DynamoDB to read back the events a server-sequenced run's confirm names (a Query of that run).
 */
export const handler = makeRelayHandler(
  lambdaRoot((config) => ({
    dynamoDb: makeDynamoDbClient({ region: config.AWS_REGION, endpoint: config.RUNLEDGER_DYNAMODB_ENDPOINT }),
    eventBridge: new EventBridgeClient({ region: config.AWS_REGION, ...endpointOverride(config.RUNLEDGER_EVENTBRIDGE_ENDPOINT) }),
    sqs: new SQSClient({ region: config.AWS_REGION }),
  })),
);
