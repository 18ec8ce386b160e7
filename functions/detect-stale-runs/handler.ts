import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeDetectStaleRunsHandler } from './detect-stale-runs.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeDetectStaleRunsHandler(dynamoDbLambdaRoot());
