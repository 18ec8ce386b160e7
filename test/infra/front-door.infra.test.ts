import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { context, synthesize } from './support.ts';

// Bundling the functions says nothing about the API's front door: skip it (CDK's own switch).
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const WEB_ACL = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/runledger/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d';

const plain = synthesize({ ...NO_BUNDLING, corsOrigins: '' }).template;
const dressed = synthesize({
  ...NO_BUNDLING,
  corsOrigins: 'https://dash.example.com,https://ops.example.com',
  endpointType: 'edge',
  domainName: 'api.example.com',
  certificateArn: CERTIFICATE,
  webAclArn: WEB_ACL,
  removalPolicy: 'destroy',
}).template;

const build = (overrides: Record<string, unknown>) => () => buildApp(new App({ context: context({ ...NO_BUNDLING, ...overrides }) }));

describe('endpoint', () => {
  it('is regional by default', () => {
    plain.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    plain.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    plain.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  it('is edge-optimized when endpointType is edge', () => {
    dressed.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['EDGE'] } });
  });

  it('refuses an endpointType other than regional or edge, naming the key', () => {
    expect(build({ endpointType: 'private' })).toThrow(/context 'endpointType'/);
  });
});

describe('custom domain', () => {
  it('maps domainName to the stage with its certificate and TLS 1.2, and outputs where DNS should point', () => {
    dressed.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      CertificateArn: CERTIFICATE,
      EndpointConfiguration: { Types: ['EDGE'] },
      SecurityPolicy: 'TLS_1_2',
    });
    dressed.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { DomainName: Match.anyValue(), Stage: Match.anyValue() });
    const outputs = Object.values(dressed.findOutputs('*')).map((output) => JSON.stringify(output));
    expect(outputs.some((output) => output.includes('DistributionDomainName') && output.includes('api.example.com'))).toBe(true);
  });

  it.each([
    [{ domainName: 'api.example.com' }, /context 'certificateArn'.*required when domainName is set/],
    [{ certificateArn: CERTIFICATE }, /context 'domainName'.*required when certificateArn is set/],
    [{ domainName: 'api.example.com', certificateArn: 'not-an-arn' }, /context 'certificateArn'.*ACM certificate ARN/],
  ])('refuses %j at synth, naming the missing or bad key', (overrides, message) => {
    expect(build(overrides)).toThrow(message);
  });
});

describe('web ACL', () => {
  it('associates webAclArn with the API stage', () => {
    dressed.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: WEB_ACL,
      ResourceArn: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('/restapis/')])]) }),
    });
  });

  it('answers what the web ACL blocks 403 forbidden in the contract error shape', () => {
    dressed.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'WAF_FILTERED',
      ResponseTemplates: { 'application/json': Match.serializedJson({ error: { code: 'forbidden', message: Match.stringLikeRegexp('firewall') } }) },
    });
  });

  it('refuses an ARN that is not a regional WAFv2 web ACL, naming the key', () => {
    expect(build({ webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1' })).toThrow(/context 'webAclArn'.*regional WAFv2 web ACL/);
  });
});

describe('events table deletion protection', () => {
  it('is on when removalPolicy is retain (the default)', () => {
    plain.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] }) });
  });

  it('is off when removalPolicy is destroy, so the stack can delete the table', () => {
    dressed.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })] }) });
  });
});

describe('unknown routes', () => {
  it('answer 404 not_found in the contract error shape instead of 403 MISSING_AUTHENTICATION_TOKEN', () => {
    plain.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
      ResponseTemplates: { 'application/json': Match.serializedJson({ error: { code: 'not_found', message: Match.stringLikeRegexp('no such route') } }) },
    });
  });
});
