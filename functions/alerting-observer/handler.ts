import middy from '@middy/core';
import { recordDeliveries } from '#functions/observer-runtime/record-deliveries.ts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { consumeBusQueue } from '#functions/observer-runtime/sqs-batch.ts';
import { lambdaRoot } from '../runtime/lambda-root.ts';
import { makeAlertingObserverHandler } from './alerting-observer.ts';

/** The Lambda entry CDK bundles: DynamoDB for the claims, SNS and Secrets Manager for the sinks CDK configures. */
const observe = makeAlertingObserverHandler(
  lambdaRoot((config) => ({
    dynamoDb: makeDynamoDbClient({ region: config.AWS_REGION, endpoint: config.RUNLEDGER_DYNAMODB_ENDPOINT }),
    sns: new SNSClient({ region: config.AWS_REGION }),
    secretsManager: new SecretsManagerClient({ region: config.AWS_REGION }),
  })),
);

/** The Lambda entry CDK bundles, its deliveries recorded in the ledger (runledger/observer's middleware). */
export const handler = middy(observe).use(recordDeliveries({ name: 'alerting' }));

/** Lambda's entry when the observer is required: fed by its delivery queue (infra/constructs/observer-rules.ts). */
export const sqsHandler = middy(consumeBusQueue(observe)).use(recordDeliveries({ name: 'alerting' }));
