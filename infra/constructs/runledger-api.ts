import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  Cors,
  JsonSchemaVersion,
  LambdaIntegration,
  ResponseTransferMode,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  ResponseType,
  RestApi,
  TokenAuthorizer,
  type IModel,
  type JsonSchema,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { z } from 'zod';
import { isStreaming, ROUTES, type HandlerName } from '#functions/routes.ts';
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
  /** Origins allowed by CORS (the dashboard's). */
  readonly corsOrigins: readonly string[];
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** How long API Gateway caches an authorizer answer per key. @default Duration.minutes(5) */
  readonly authorizerCacheTtl?: Duration;
};

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
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: `runledger-${props.stage}`,
      description: 'runledger: run lifecycle events',
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stage,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
      },
      defaultCorsPreflightOptions: {
        allowOrigins: props.corsOrigins.length > 0 ? [...props.corsOrigins] : Cors.ALL_ORIGINS,
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
        maxAge: Duration.hours(1),
      },
    });
    this.#addGatewayResponses();
    this.#acknowledgeFindings();

    const authorizer = new TokenAuthorizer(this, 'Authorizer', {
      handler: props.authorizer,
      identitySource: 'method.request.header.Authorization',
      validationRegex: '^Bearer \\S{1,512}$',
      resultsCacheTtl: props.authorizerCacheTtl ?? Duration.minutes(5),
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
        ...(route.auth ? { authorizer, authorizationType: AuthorizationType.CUSTOM } : { authorizationType: AuthorizationType.NONE }),
        ...(route.method === 'POST' && model !== undefined ? { requestValidator: validator, requestModels: { 'application/json': model } } : {}),
      });
    }
  }

  #acknowledgeFindings(): void {
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
    acknowledge(
      'AwsSolutions-APIG3',
      'Stage throttling and per-key authorization guard the API; a WAF web ACL ($5/month plus $0.60 per million requests) is left to deployments that face untrusted traffic.',
    );
  }

  #addGatewayResponses(): void {
    const responses: Array<[ResponseType, string, string, Record<string, string>?]> = [
      [ResponseType.UNAUTHORIZED, 'unauthorized', 'send "Authorization: Bearer <api key>" with a valid key'],
      [ResponseType.ACCESS_DENIED, 'unauthorized', 'send "Authorization: Bearer <api key>" with a valid key'],
      [ResponseType.BAD_REQUEST_BODY, 'invalid_request', 'the body must be a JSON object; POST /v1/events takes {"events": [1 to 100 event objects]}'],
      [ResponseType.REQUEST_TOO_LARGE, 'payload_too_large', 'the request is too large'],
      [ResponseType.UNSUPPORTED_MEDIA_TYPE, 'unsupported_media_type', 'send the body as JSON with "Content-Type: application/json"'],
      [ResponseType.THROTTLED, 'throttled', 'too many requests; retry after the number of seconds in Retry-After', { 'Retry-After': "'1'" }],
      [ResponseType.DEFAULT_4XX, 'bad_request', 'the request was not accepted'],
      [ResponseType.DEFAULT_5XX, 'internal_error', 'something went wrong on our side; it has been logged'],
    ];
    for (const [type, code, message, headers] of responses) {
      this.api.addGatewayResponse(`${code}-${type.responseType}`, {
        type,
        ...(type === ResponseType.ACCESS_DENIED ? { statusCode: '401' } : {}),
        templates: errorTemplate(code, message),
        ...(headers === undefined ? {} : { responseHeaders: headers }),
      });
    }
  }
}

/** API Gateway models take JSON Schema draft 4: the same zod schema, converted. */
function jsonSchemaOf(schema: z.core.$ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-04' });
  return { schema: JsonSchemaVersion.DRAFT4, ...(rest as JsonSchema) };
}
