import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  JsonSchemaVersion,
  LambdaIntegration,
  ResponseTransferMode,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestAuthorizer,
  RequestValidator,
  ResponseType,
  RestApi,
  SecurityPolicy,
  TokenAuthorizer,
  type IModel,
  type JsonSchema,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { z } from 'zod';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS, gatewayCorsHeaders } from '#functions/http/cors.ts';
import { BINARY_MEDIA_TYPES, isShared, isStreaming, ROUTES, type HandlerName } from '#functions/routes.ts';
import { BEARER_PATTERN } from '#shared/auth/api-keys.ts';
import { BatchBodyShapeSchema, RunEventsBodyShapeSchema } from '#shared/contract/ingest-body.ts';

export type RunLedgerApiProps = {
  readonly stage: string;
  /** The function answering each handler name of the route table. */
  readonly handlers: Record<HandlerName, IFunction>;
  /** The TOKEN authorizer that turns bearer keys into tenants. */
  readonly authorizer: IFunction;
  /** Steady-state requests per second for the whole stage. */
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /**
   * Browser origins allowed to read answers (CORS). The functions echo whichever of them a request
   * comes from; the gateway's own answers (401, 404, 413, 429, 5XX) can carry one fixed origin only,
   * so they carry the first. Empty: no CORS at all, no preflight.
   */
  readonly corsOrigins: readonly string[];
  /** @default 'regional' */
  readonly endpointType?: 'regional' | 'edge';
  /** A custom domain with its ACM certificate, mapped to the stage. @default none */
  readonly domain?: { readonly domainName: string; readonly certificateArn: string };
  /** A regional WAFv2 web ACL associated with the stage. @default none */
  readonly webAclArn?: string;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** How long API Gateway caches an authorizer answer per key. @default Duration.minutes(5) */
  readonly authorizerCacheTtl?: Duration;
};

/**
 * One JSON line per request: the standard fields plus the tenant the authorizer resolved (its
 * context's `tenantId`; empty when no authorizer ran) and both request ids (API Gateway's, which
 * each function gets as `requestContext.requestId`, and the extended one AWS support asks for),
 * latencies, and why the gateway refused a request it answered itself.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: AccessLogField.contextRequestId(),
  extendedRequestId: AccessLogField.contextExtendedRequestId(),
  tenant: AccessLogField.contextAuthorizer('tenantId'),
  ip: AccessLogField.contextIdentitySourceIp(),
  userAgent: AccessLogField.contextIdentityUserAgent(),
  requestTime: AccessLogField.contextRequestTime(),
  httpMethod: AccessLogField.contextHttpMethod(),
  resourcePath: AccessLogField.contextResourcePath(),
  path: AccessLogField.contextPath(),
  status: AccessLogField.contextStatus(),
  protocol: AccessLogField.contextProtocol(),
  responseLength: AccessLogField.contextResponseLength(),
  responseLatencyMs: AccessLogField.contextResponseLatency(),
  integrationLatencyMs: AccessLogField.contextIntegrationLatency(),
  authorizerStatus: AccessLogField.contextAuthorizerStatus(),
  errorType: AccessLogField.contextErrorResponseType(),
  error: AccessLogField.contextErrorMessage(),
  xrayTraceId: AccessLogField.contextXrayTraceId(),
} as const;
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS));

/** The contract's error shape, for the answers API Gateway gives without calling a function. */
const errorTemplate = (code: string, message: string) => ({
  'application/json': JSON.stringify({ error: { code, message } }),
});

/**
 * The REST API, built from the same route table the local gateway serves (functions/routes.ts):
 * bearer-key authorizer (cached) on every route but health and the OpenAPI document, body-shape validation at the door,
 * stage throttling, JSON access logs, X-Ray, CORS, and error answers in the contract's shape.
 */
export class RunLedgerApi extends Construct {
  public readonly api: RestApi;
  public readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: RunLedgerApiProps) {
    super(scope, id);
    const endpointType = props.endpointType === 'edge' ? EndpointType.EDGE : EndpointType.REGIONAL;
    const { domain } = props;
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: `runledger-${props.stage}`,
      // OTLP's protobuf exports must reach the function byte for byte (base64-encoded), not as text.
      binaryMediaTypes: [...BINARY_MEDIA_TYPES],
      description: 'runledger: run lifecycle events',
      cloudWatchRole: true,
      endpointTypes: [endpointType],
      ...(domain === undefined
        ? {}
        : {
            domainName: {
              domainName: domain.domainName,
              certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
              endpointType,
              securityPolicy: SecurityPolicy.TLS_1_2,
            },
          }),
      deployOptions: {
        stageName: props.stage,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
      },
      // No origins, no preflight: an OPTIONS request then meets the unknown-route answer (404).
      ...(props.corsOrigins.length === 0
        ? {}
        : {
            defaultCorsPreflightOptions: {
              allowOrigins: [...props.corsOrigins],
              allowMethods: [...CORS_ALLOW_METHODS],
              allowHeaders: [...CORS_ALLOW_HEADERS],
              exposeHeaders: [...CORS_EXPOSE_HEADERS],
              maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
            },
          }),
    });
    this.#addGatewayResponses(props.corsOrigins);
    this.#acknowledgeFindings(props.webAclArn !== undefined);
    if (props.webAclArn !== undefined) {
      new CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: props.webAclArn });
    }
    if (this.api.domainName !== undefined) {
      new CfnOutput(this, 'DomainTarget', {
        value: this.api.domainName.domainNameAliasDomainName,
        description: `DNS: point ${domain?.domainName ?? 'the custom domain'} here (an alias or CNAME record)`,
      });
    }

    const authorizer = new TokenAuthorizer(this, 'Authorizer', {
      handler: props.authorizer,
      identitySource: 'method.request.header.Authorization',
      // The scheme in any case, as the function and the local gateway take it.
      validationRegex: BEARER_PATTERN,
      resultsCacheTtl: props.authorizerCacheTtl ?? Duration.minutes(5),
    });
    // A run's GET routes also take a share token as `?token=` (a browser EventSource cannot send a
    // header), which a TOKEN authorizer never sees. A REQUEST authorizer can take the header or the
    // query only uncached (cached, every identity source must be present), so these routes call the
    // same function on every request; it keeps key grants in memory (RUNLEDGER_KEY_CACHE_SECONDS),
    // and ingest, the hot path, stays on the cached TOKEN authorizer.
    const sharedAuthorizer = new RequestAuthorizer(this, 'SharedReadAuthorizer', {
      handler: props.authorizer,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    const validator = new RequestValidator(this, 'BodyValidator', { restApi: this.api, validateRequestBody: true, validateRequestParameters: true });
    const models: Record<string, IModel> = {
      '/v1/events': this.api.addModel('BatchBody', { contentType: 'application/json', schema: jsonSchemaOf(BatchBodyShapeSchema) }),
      '/v1/runs/{runId}/events': this.api.addModel('RunEventsBody', { contentType: 'application/json', schema: jsonSchemaOf(RunEventsBodyShapeSchema) }),
    };

    const integrations = new Map<HandlerName, LambdaIntegration>();
    for (const route of ROUTES) {
      // Streaming routes (SSE) use REST response streaming: the same authorizer, throttling and
      // logs as every other route, which a Lambda function URL would not give.
      const integration =
        integrations.get(route.handler) ??
        new LambdaIntegration(props.handlers[route.handler], {
          proxy: true,
          ...(isStreaming(route) ? { responseTransferMode: ResponseTransferMode.STREAM, timeout: Duration.minutes(15) } : {}),
        });
      integrations.set(route.handler, integration);
      const model = models[route.path];
      this.api.root.resourceForPath(route.path).addMethod(route.method, integration, {
        ...(route.auth ? { authorizer: isShared(route) ? sharedAuthorizer : authorizer, authorizationType: AuthorizationType.CUSTOM } : { authorizationType: AuthorizationType.NONE }),
        ...(route.method === 'POST' && model !== undefined ? { requestValidator: validator, requestModels: { 'application/json': model } } : {}),
      });
    }
  }

  #acknowledgeFindings(hasWebAcl: boolean): void {
    const acknowledge = (id: string, reason: string) => Validations.of(this).acknowledge({ id, reason });
    acknowledge(
      'AwsSolutions-COG4',
      'Callers are agents and job runners, not people: they hold bearer API keys checked by the Lambda TOKEN authorizer (per tenant, hashed, cached), not Cognito user pool tokens.',
    );
    acknowledge(
      'AwsSolutions-APIG4',
      'Only GET /v1/health is open, by contract: it answers {"status":"ok"} and touches no data.',
    );
    acknowledge(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-level role API Gateway needs to write execution logs; AWS documents this managed policy for it.',
    );
    if (!hasWebAcl) {
      acknowledge(
        'AwsSolutions-APIG3',
        'Stage throttling and per-key authorization guard the API; a WAF web ACL ($5/month plus $0.60 per million requests) is opt-in: set webAclArn to associate one.',
      );
    }
  }

  /**
   * The answers API Gateway gives itself, in the contract's shape. A gateway response's headers are
   * fixed per API (no condition on the request's Origin), so they carry one origin, the first
   * (gatewayCorsHeaders); header values are quoted literals.
   */
  #addGatewayResponses(corsOrigins: readonly string[]): void {
    const cors = Object.fromEntries(Object.entries(gatewayCorsHeaders(corsOrigins)).map(([name, value]) => [name, `'${value}'`]));
    const responses: Array<[ResponseType, string, string, Record<string, string>?]> = [
      [ResponseType.UNAUTHORIZED, 'unauthorized', 'send "Authorization: Bearer <api key>" with a valid key'],
      // The authorizer's policy denied the route: a `read` key on an ingest route (functions/authorize).
      [ResponseType.ACCESS_DENIED, 'forbidden', "this credential does not allow this route (a read key cannot ingest; a share link reads its one run only)"],
      [ResponseType.BAD_REQUEST_BODY, 'invalid_request', 'the body must be a JSON object; POST /v1/events takes {"events": [1 to 100 event objects]}'],
      [ResponseType.REQUEST_TOO_LARGE, 'payload_too_large', 'the request is too large'],
      [ResponseType.UNSUPPORTED_MEDIA_TYPE, 'unsupported_media_type', 'send the body as JSON with "Content-Type: application/json"'],
      [ResponseType.THROTTLED, 'throttled', 'too many requests; retry after the number of seconds in Retry-After', { 'Retry-After': "'1'" }],
      // API Gateway answers an unknown route (or method) as a missing IAM token, 403. No route here
      // uses IAM auth, so that answer means "no such route": 404, as the local gateway says.
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, 'not_found', 'no such route; the routes are in GET /v1/openapi.json'],
      // What the web ACL (webAclArn) blocks: 403 in the same shape, with CORS, so a page can tell it apart.
      [ResponseType.WAF_FILTERED, 'forbidden', 'the request was refused by the web application firewall'],
      [ResponseType.DEFAULT_4XX, 'bad_request', 'the request was not accepted'],
      [ResponseType.DEFAULT_5XX, 'internal_error', 'something went wrong on our side; it has been logged'],
    ];
    const statusCodes = new Map([
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, '404'],
    ]);
    for (const [type, code, message, headers] of responses) {
      const statusCode = statusCodes.get(type);
      const responseHeaders = { ...cors, ...headers };
      this.api.addGatewayResponse(`${code}-${type.responseType}`, {
        type,
        ...(statusCode === undefined ? {} : { statusCode }),
        templates: errorTemplate(code, message),
        ...(Object.keys(responseHeaders).length === 0 ? {} : { responseHeaders }),
      });
    }
  }
}

/** API Gateway models take JSON Schema draft 4: the same zod schema, converted. */
function jsonSchemaOf(schema: z.core.$ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-04' });
  return { schema: JsonSchemaVersion.DRAFT4, ...(rest as JsonSchema) };
}
