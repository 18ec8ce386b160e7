import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { HANDLER_NAMES } from '#functions/routes.ts';
import { buildApp } from '#infra/app.ts';
import { context, synthesize } from './support.ts';

// Bundling the functions says nothing about CORS: skip it (CDK's own switch).
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const none = synthesize({ ...NO_BUNDLING, corsOrigins: '' }).template;
const two = synthesize({ ...NO_BUNDLING, corsOrigins: 'https://dash.example.com, https://ops.example.com' }).template;

type Resource = { Properties: Record<string, unknown> };
const gatewayResponses = (template: typeof none) => Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')) as Resource[];
const environments = (template: typeof none) =>
  (Object.values(template.findResources('AWS::Lambda::Function')) as Resource[]).map((fn) => JSON.stringify(fn.Properties.Environment ?? {}));

describe('CORS with no origins configured (the default)', () => {
  it('ships no preflight and no CORS header on any gateway response', () => {
    none.resourcePropertiesCountIs('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS' }, 0);
    for (const response of gatewayResponses(none)) expect(JSON.stringify(response.Properties.ResponseParameters ?? {})).not.toContain('Access-Control');
  });

  it('gives no function a list of origins', () => {
    for (const environment of environments(none)) expect(environment).not.toContain('RUNLEDGER_CORS_ORIGINS');
  });
});

describe('CORS with two origins', () => {
  it('answers the preflight for either origin, allowing Authorization, Content-Type and Last-Event-ID and exposing Retry-After', () => {
    two.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      AuthorizationType: 'NONE',
      Integration: Match.objectLike({
        IntegrationResponses: [
          Match.objectLike({
            ResponseParameters: Match.objectLike({
              'method.response.header.Access-Control-Allow-Origin': "'https://dash.example.com'",
              'method.response.header.Vary': "'Origin'",
              'method.response.header.Access-Control-Allow-Headers': "'Authorization,Content-Type,Last-Event-ID'",
              'method.response.header.Access-Control-Allow-Methods': "'GET,POST,OPTIONS'",
              'method.response.header.Access-Control-Expose-Headers': "'Retry-After'",
            }),
            // The second origin is echoed by the mock integration's template when the request comes from it.
            ResponseTemplates: { 'application/json': Match.stringLikeRegexp('\\$origin == "https://ops.example.com"') },
          }),
        ],
      }),
    });
  });

  it('puts the first origin, Vary: Origin and the exposed Retry-After on every gateway response (4XX and 5XX defaults, auth failures, throttling, unknown routes)', () => {
    const responses = gatewayResponses(two);
    const types = responses.map((response) => response.Properties.ResponseType);
    expect(types).toEqual(expect.arrayContaining(['DEFAULT_4XX', 'DEFAULT_5XX', 'UNAUTHORIZED', 'ACCESS_DENIED', 'THROTTLED', 'MISSING_AUTHENTICATION_TOKEN']));
    for (const response of responses) {
      expect(response.Properties.ResponseParameters).toMatchObject({
        'gatewayresponse.header.access-control-allow-origin': "'https://dash.example.com'",
        'gatewayresponse.header.vary': "'Origin'",
        'gatewayresponse.header.access-control-expose-headers': "'Retry-After'",
      });
    }
  });

  it('tells every route function the origins, so its answers (errors and the SSE stream included) echo the allowed one', () => {
    const withOrigins = environments(two).filter((environment) => environment.includes('"RUNLEDGER_CORS_ORIGINS":"https://dash.example.com,https://ops.example.com"'));
    expect(withOrigins).toHaveLength(HANDLER_NAMES.length);
    expect(withOrigins.some((environment) => environment.includes('runledger-stream-run'))).toBe(true);
  });

  it('refuses an origin with a path, naming the key', () => {
    expect(() => buildApp(new App({ context: context({ ...NO_BUNDLING, corsOrigins: 'https://dash.example.com/app' }) }))).toThrow(/context 'corsOrigins\.0'.*scheme:\/\/host/);
  });
});
