import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeIngestTracesHandler } from './ingest-traces.ts';

/** The Lambda entry CDK bundles: the root composed from the environment once, at cold start. */
export const handler = makeIngestTracesHandler(dynamoDbLambdaRoot());
