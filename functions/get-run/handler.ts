import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeGetRunHandler } from './get-run.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeGetRunHandler(dynamoDbLambdaRoot());
