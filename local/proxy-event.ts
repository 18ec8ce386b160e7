import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export type ProxyEventInput = {
  readonly method: string;
  /** The route template, e.g. `/v1/runs/{runId}`. */
  readonly resource: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly multiValueHeaders?: Record<string, string[]>;
  readonly query?: Record<string, string>;
  readonly multiValueQuery?: Record<string, string[]>;
  readonly pathParameters?: Record<string, string> | null;
  readonly body?: string | null;
  /** The body is base64 (a binary media type, as API Gateway passes it). */
  readonly isBase64Encoded?: boolean;
  readonly authorizer?: Record<string, string> | null;
  readonly stage?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string | null;
};

/** An API Gateway REST (Lambda proxy) event as Lambda receives it: the local gateway's and the tests'. */
export function makeProxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const stage = input.stage ?? 'local';
  const hasQuery = input.query !== undefined && Object.keys(input.query).length > 0;
  const pathParameters = input.pathParameters ?? null;
  return {
    resource: input.resource,
    path: input.path,
    httpMethod: input.method,
    headers: input.headers ?? {},
    multiValueHeaders: input.multiValueHeaders ?? Object.fromEntries(Object.entries(input.headers ?? {}).map(([name, value]) => [name, [value]])),
    queryStringParameters: hasQuery ? (input.query ?? null) : null,
    multiValueQueryStringParameters: hasQuery ? (input.multiValueQuery ?? null) : null,
    pathParameters: pathParameters !== null && Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: null,
    body: input.body ?? null,
    isBase64Encoded: input.isBase64Encoded ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: input.authorizer ?? null,
      httpMethod: input.method,
      path: `/${stage}${input.path}`,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: input.resource,
      stage,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: input.sourceIp ?? '127.0.0.1',
        user: null,
        userAgent: input.userAgent ?? null,
        userArn: null,
      },
    },
  };
}
