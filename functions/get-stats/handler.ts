import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeGetStatsHandler } from './get-stats.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeGetStatsHandler(dynamoDbLambdaRoot());
