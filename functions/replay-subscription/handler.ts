import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { SQSClient } from '@aws-sdk/client-sqs';
import { lambdaRoot } from '../runtime/lambda-root.ts';
import { makeReplaySubscriptionHandler } from './replay-subscription.ts';

/** The Lambda entry CDK bundles: DynamoDB (subscription, ledger, the run's events) and SQS (the delivery queue). */
export const handler = makeReplaySubscriptionHandler(
  lambdaRoot((config) => ({ dynamoDb: makeDynamoDbClient({ region: config.AWS_REGION, endpoint: config.RUNLEDGER_DYNAMODB_ENDPOINT }), sqs: new SQSClient({ region: config.AWS_REGION }) })),
);
