import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import type { Root } from './compose.ts';
import { lambdaRoot } from './lambda-root.ts';

/** The root of the functions that sign or check share links (the authorizer, share-run): DynamoDB, and Secrets Manager for the signing keys. */
export function shareKeysLambdaRoot(): Root {
  return lambdaRoot((config) => ({
    dynamoDb: makeDynamoDbClient({ region: config.AWS_REGION, endpoint: config.RUNLEDGER_DYNAMODB_ENDPOINT }),
    ...(config.RUNLEDGER_SHARE_KEYS_SECRET_ARN === undefined ? {} : { secretsManager: new SecretsManagerClient({ region: config.AWS_REGION }) }),
  }));
}
