import type { APIGatewayProxyEvent, Statement } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { tenantOf } from '#functions/http/tenant.ts';
import { BEARER_PATTERN, bearerToken } from '#shared/auth/api-keys.ts';
import { InvalidDurationError, parseExpiresIn } from '#shared/auth/expires-in.ts';
import { scopeAllows } from '#shared/auth/scopes.ts';
import { ForbiddenError, UnauthenticatedError } from '#shared/errors.ts';
import { policyAllows } from '#local/authorizer-policy.ts';
import { proxyEvent } from '#test/support/proxy-event.ts';

const withAuthorizer = (authorizer: Record<string, string> | undefined): APIGatewayProxyEvent => {
  const event = proxyEvent({ method: 'GET', resource: '/v1/stats', path: '/v1/stats' });
  event.requestContext.authorizer = authorizer;
  return event;
};

describe('the Bearer header', () => {
  it('gives the key for the scheme in any case, with any run of spaces, and nothing for another scheme', () => {
    for (const header of ['Bearer k1', 'bearer k1', 'BEARER k1', 'Bearer   k1  ']) expect(bearerToken(header)).toBe('k1');
    for (const header of ['Basic k1', 'Bearer', 'Bearerk1', 'Bearer k1 k2', undefined]) expect(bearerToken(header)).toBeUndefined();
  });

  it('is one pattern API Gateway can use as its validation regex: anchored, with no JavaScript-only syntax', () => {
    expect(BEARER_PATTERN).toMatch(/^\^.*\$$/);
    expect(BEARER_PATTERN).not.toMatch(/\(\?<|\\p\{|\(\?i\)/);
  });
});

describe('--expires-in', () => {
  it('takes a whole number of days, hours, minutes or seconds', () => {
    expect(parseExpiresIn('90d')).toBe(90 * 86_400);
    expect(parseExpiresIn('12h')).toBe(43_200);
    expect(parseExpiresIn('30m')).toBe(1800);
    expect(parseExpiresIn('45s')).toBe(45);
  });

  it('refuses anything else with the accepted forms named', () => {
    for (const bad of ['90', 'd', '1.5d', '-1d', '0s', '3651d', '90 days', '1w', '']) {
      expect(() => parseExpiresIn(bad), bad).toThrow(InvalidDurationError);
    }
    expect(() => parseExpiresIn('1w')).toThrow(/90d, 12h, 30m, 45s.*got '1w'/);
  });
});

describe('key scopes', () => {
  it('lets write do everything read does, and read never write', () => {
    expect(scopeAllows('write', 'write')).toBe(true);
    expect(scopeAllows('write', 'read')).toBe(true);
    expect(scopeAllows('read', 'read')).toBe(true);
    expect(scopeAllows('read', 'write')).toBe(false);
  });
});

describe('tenantOf, the handlers’ reading of the authorizer context', () => {
  const now = new Date('2026-11-23T10:00:00Z');

  it('answers the tenant of a key whose scope covers the route', () => {
    expect(tenantOf(withAuthorizer({ tenantId: 'acme', scope: 'write' }), 'write', now)).toBe('acme');
    expect(tenantOf(withAuthorizer({ tenantId: 'acme', scope: 'read' }), 'read', now)).toBe('acme');
  });

  it('treats a context without a scope (a key from before scopes, or a cached answer) as write', () => {
    expect(tenantOf(withAuthorizer({ tenantId: 'acme' }), 'write', now)).toBe('acme');
  });

  it('refuses a read key on a write route with ForbiddenError (403 forbidden)', () => {
    expect(() => tenantOf(withAuthorizer({ tenantId: 'acme', scope: 'read' }), 'write', now)).toThrow(ForbiddenError);
  });

  it('refuses a key past its expiry with UnauthenticatedError (401), however long API Gateway cached its answer', () => {
    const event = withAuthorizer({ tenantId: 'acme', scope: 'write', expiresAt: '2026-11-23T10:00:00.000Z' });
    expect(() => tenantOf(event, 'read', now)).toThrow(UnauthenticatedError);
    expect(tenantOf(event, 'read', new Date('2026-11-23T09:59:59Z'))).toBe('acme');
  });

  it('refuses a request with no authorizer context', () => {
    expect(() => tenantOf(withAuthorizer(undefined), 'read', now)).toThrow(UnauthenticatedError);
  });
});

describe('the local gateway’s reading of an authorizer policy', () => {
  const stage = 'arn:aws:execute-api:us-east-1:000000000000:local/local';
  it('lets an explicit Deny win over an Allow, and denies what no Allow covers', () => {
    const statements: Statement[] = [
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${stage}/*` },
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${stage}/POST/v1/runs/*/events`] },
    ];
    expect(policyAllows(statements, `${stage}/GET/v1/runs/r-1/events`)).toBe(true);
    expect(policyAllows(statements, `${stage}/POST/v1/runs/r-1/events`)).toBe(false);
    expect(policyAllows(statements.slice(0, 1), 'arn:aws:execute-api:us-east-1:000000000000:other/local/GET/v1/stats')).toBe(false);
  });
});
