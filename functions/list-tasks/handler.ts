import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeListTasksHandler } from './list-tasks.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeListTasksHandler(dynamoDbLambdaRoot());
