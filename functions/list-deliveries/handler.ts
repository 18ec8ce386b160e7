import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeListDeliveriesHandler } from './list-deliveries.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeListDeliveriesHandler(dynamoDbLambdaRoot());
