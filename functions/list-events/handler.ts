import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeListEventsHandler } from './list-events.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeListEventsHandler(dynamoDbLambdaRoot());
