import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesize } from './support.ts';

// One synthesis with the dashboard on; cdk-nag runs inside it (buildApp), so an unacknowledged finding fails here.
const { template } = synthesize({ stage: 'prod', dashboard: true });

type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = (type: string): Array<[string, Resource]> => Object.entries(template.findResources(type)) as Array<[string, Resource]>;
const [[distributionId] = []] = resources('AWS::CloudFront::Distribution');

describe('the dashboard (dashboard: true)', () => {
  it('keeps the app in a private, encrypted, TLS-only bucket that only this distribution may read', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    const policies = resources('AWS::S3::BucketPolicy').map(([, policy]) => JSON.stringify(policy.Properties.PolicyDocument));
    const dashboardPolicy = policies.find((policy) => policy.includes('cloudfront.amazonaws.com'));
    expect(dashboardPolicy).toBeDefined();
    // Origin access control: the service principal, limited to this distribution by its ARN.
    expect(dashboardPolicy).toContain('AWS:SourceArn');
    expect(dashboardPolicy).toContain(distributionId);
    expect(dashboardPolicy).toContain('"aws:SecureTransport":"false"');
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }) });
  });

  it('serves it over HTTPS only with security headers, the CSP allowing the API and nothing else', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ DefaultRootObject: 'index.html', DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only' }) }),
    });
    const [[, policy] = []] = resources('AWS::CloudFront::ResponseHeadersPolicy');
    const security = JSON.stringify(policy?.Properties);
    expect(security).toContain('StrictTransportSecurity');
    expect(security).toContain('"FrameOption":"DENY"');
    expect(security).toContain('"ReferrerPolicy":"no-referrer"');
    expect(security).toContain("script-src 'self'");
    expect(security).toContain('connect-src');
    expect(security).toContain('.execute-api.');
  });

  it('writes config.json with the API URL at deploy and uploads the built app, then clears the cached index and config', () => {
    const [[, deployment] = []] = resources('Custom::CDKBucketDeployment');
    const [[restApiId] = []] = resources('AWS::ApiGateway::RestApi');
    const [[stageId] = []] = resources('AWS::ApiGateway::Stage');
    // Two sources: the built app, and config.json whose API URL (known at deploy only) is filled in from markers.
    expect(deployment?.Properties.SourceObjectKeys).toHaveLength(2);
    const markers = JSON.stringify(deployment?.Properties.SourceMarkers);
    expect(markers).toContain(`{"Ref":"${restApiId}"}`);
    expect(markers).toContain(`{"Ref":"${stageId}"}`);
    expect(deployment?.Properties.DistributionPaths).toEqual(['/index.html', '/config.json']);
  });

  it('puts the dashboard\'s origin first in the API\'s CORS origins, beside the configured ones, and points share links at it', () => {
    const functions = resources('AWS::Lambda::Function').filter(([, fn]) => JSON.stringify(fn.Properties.Environment ?? {}).includes('RUNLEDGER_CORS_ORIGINS'));
    expect(functions.length).toBeGreaterThan(5);
    for (const [, fn] of functions) {
      const cors = JSON.stringify((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.RUNLEDGER_CORS_ORIGINS);
      expect(cors).toContain(distributionId);
      expect(cors).toContain('https://dash.example.com');
      expect(cors.indexOf(distributionId ?? '#')).toBeLessThan(cors.indexOf('https://dash.example.com'));
    }
    const share = resources('AWS::Lambda::Function').find(([, fn]) => JSON.stringify(fn.Properties.Environment).includes('"runledger-share-run"'));
    expect(JSON.stringify(share?.[1].Properties.Environment)).toContain('RUNLEDGER_DASHBOARD_URL');
    const unauthorized = resources('AWS::ApiGateway::GatewayResponse').find(([, response]) => response.Properties.ResponseType === 'UNAUTHORIZED');
    expect(JSON.stringify(unauthorized?.[1].Properties.ResponseParameters)).toContain(distributionId);
    template.hasOutput('DashboardUrl', {});
  });
});
