/** Credentials DynamoDB Local and the local bus accept; they ignore the values but the SDK insists on some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

/**
 * SDK client settings for an endpoint override (DynamoDB Local, the local bus): the endpoint and
 * placeholder credentials. Nothing when there is no override, so in AWS the SDK finds its own.
 */
export function endpointOverride(endpoint: string | undefined): { endpoint?: string; credentials?: typeof LOCAL_CREDENTIALS } {
  return endpoint === undefined ? {} : { endpoint, credentials: LOCAL_CREDENTIALS };
}
