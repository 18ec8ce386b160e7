import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeListRunsHandler } from './list-runs.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeListRunsHandler(dynamoDbLambdaRoot());
