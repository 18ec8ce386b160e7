import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configFromContext } from '#infra/config.ts';
import { BEARER_PATTERN } from '#shared/auth/api-keys.ts';
import { context, synthesize } from './support.ts';

const defaults = synthesize({ stage: 'prod' }).template;
const tuned = synthesize({ stage: 'prod', authorizerCacheSeconds: 30, keyCacheSeconds: 2 }).template;

const FunctionSchema = z.object({ Properties: z.object({ Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }) }) });

/** The authorizer function's environment (its log group name carries runledger-authorize). */
function authorizerEnvironment(template: typeof defaults): Record<string, string> {
  const authorizer = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => JSON.stringify(fn).includes('runledger-authorize'));
  const { Variables: variables } = FunctionSchema.parse(authorizer).Properties.Environment;
  return Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, String(value)]));
}

describe('key lifecycle in the template', () => {
  it('lets the TOKEN authorizer through any case of the Bearer scheme (the validation regex is the function’s own pattern)', () => {
    defaults.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'TOKEN', IdentityValidationExpression: BEARER_PATTERN });
    // API Gateway's regex is Java's; for this pattern JavaScript's matches the same headers.
    const regex = new RegExp(BEARER_PATTERN);
    for (const header of ['Bearer rl_k', 'bearer rl_k', 'BEARER rl_k']) expect(regex.test(header), header).toBe(true);
    expect(regex.test('Basic rl_k')).toBe(false);
  });

  it('answers a route the authorizer’s policy denies (a read key ingesting) 403 forbidden in the contract’s error shape', () => {
    defaults.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      StatusCode: Match.absent(),
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"forbidden"') },
    });
  });

  it('caches authorizer answers 300 s at the gateway and 5 s in the function by default, and as configured', () => {
    defaults.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 300 });
    expect(authorizerEnvironment(defaults)).toMatchObject({ RUNLEDGER_KEY_CACHE_SECONDS: '5' });
    tuned.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 30 });
    expect(authorizerEnvironment(tuned)).toMatchObject({ RUNLEDGER_KEY_CACHE_SECONDS: '2' });
  });

  it('outputs the REST API id and stage that `keys revoke --stack` flushes the authorizer cache of', () => {
    defaults.hasOutput('RestApiId', { Value: Match.anyValue() });
    defaults.hasOutput('StageName', { Value: Match.anyValue() });
    expect(JSON.stringify(defaults.findOutputs('StageName'))).toContain('Ref');
  });

  it('refuses an authorizer cache time API Gateway does not take, naming the key', () => {
    expect(() => configFromContext((key) => context({ authorizerCacheSeconds: 7200 })[key])).toThrow(/authorizerCacheSeconds/);
    expect(() => configFromContext((key) => context({ keyCacheSeconds: -1 })[key])).toThrow(/keyCacheSeconds/);
  });
});
