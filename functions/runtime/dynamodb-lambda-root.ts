import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import type { Root } from './compose.ts';
import { lambdaRoot } from './lambda-root.ts';

/** The root of a function whose only client is DynamoDB (the API, the authorizer, the stale-run detector, metrics). */
export function dynamoDbLambdaRoot(): Root {
  return lambdaRoot((config) => ({ dynamoDb: makeDynamoDbClient({ region: config.AWS_REGION, endpoint: config.RUNLEDGER_DYNAMODB_ENDPOINT }) }));
}
