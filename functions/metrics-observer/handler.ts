import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeMetricsObserverHandler } from './metrics-observer.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeMetricsObserverHandler(dynamoDbLambdaRoot());
