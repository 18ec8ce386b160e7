import { SQSClient } from '@aws-sdk/client-sqs';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { lambdaRoot } from '../runtime/lambda-root.ts';
import { makeDeliverWebhooksHandler, makeWebhookFanOutQueueHandler } from './deliver-webhooks.ts';

const root = lambdaRoot((config) => ({ dynamoDb: makeDynamoDbClient({ region: config.AWS_REGION, endpoint: config.RUNLEDGER_DYNAMODB_ENDPOINT }), sqs: new SQSClient({ region: config.AWS_REGION }) }));

/** The fan-out: the rule's queue of bus events in, delivery jobs out. */
export const fanOut = makeWebhookFanOutQueueHandler(root);
/** The deliveries: the job queue in, signed requests out. */
export const handler = makeDeliverWebhooksHandler(root);
