import middy from '@middy/core';
import { recordDeliveries } from '#functions/observer-runtime/record-deliveries.ts';
import { consumeBusQueue } from '#functions/observer-runtime/sqs-batch.ts';
import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeMetricsObserverHandler } from './metrics-observer.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
const observe = makeMetricsObserverHandler(dynamoDbLambdaRoot());

/** The Lambda entry CDK bundles, its deliveries recorded in the ledger (runledger/observer's middleware). */
export const handler = middy(observe).use(recordDeliveries({ name: 'metrics' }));

/** Lambda's entry when the observer is required: fed by its delivery queue (infra/constructs/observer-rules.ts). */
export const sqsHandler = middy(consumeBusQueue(observe)).use(recordDeliveries({ name: 'metrics' }));
