import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { endpointOverride, LOCAL_REGION } from '../aws/endpoint.ts';

export type DynamoDbClientOptions = {
  /** DynamoDB Local or another endpoint; unset in AWS. */
  readonly endpoint?: string | undefined;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** The SDK's attempts per call. @default the SDK's (3) */
  readonly maxAttempts?: number;
};

/** The one way runledger makes a DynamoDB client: AWS by default, an endpoint override when given. */
export function makeDynamoDbClient(options: DynamoDbClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient({
    region: options.region ?? LOCAL_REGION,
    ...endpointOverride(options.endpoint),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
}
