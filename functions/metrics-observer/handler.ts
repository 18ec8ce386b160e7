import { consumeBusQueue } from '#functions/observer-runtime/sqs-batch.ts';
import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeMetricsObserverHandler } from './metrics-observer.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeMetricsObserverHandler(dynamoDbLambdaRoot());

/** Lambda's entry when the observer is required: fed by its delivery queue (infra/constructs/observer-rules.ts). */
export const sqsHandler = consumeBusQueue(handler);
