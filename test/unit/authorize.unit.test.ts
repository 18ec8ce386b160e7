import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryApiKeyStore } from '#adapters/memory/memory-api-key-store.ts';
import { makeAuthorizeHandler } from '#functions/authorize/authorize.ts';
import { compose } from '#functions/runtime/compose.ts';
import { loadConfig } from '#functions/runtime/config.ts';
import { generateApiKey, hashApiKey } from '#shared/auth/api-keys.ts';
import { formatShareKeyRing, generateShareSigningKey, signShareToken } from '#shared/auth/share-tokens.ts';
import { makeProxyEvent } from '#local/proxy-event.ts';
import type { ApiKeyGrant } from '#shared/ports.ts';
import { policyAllows } from '#local/authorizer-policy.ts';
import { fakeClock } from '#test/support/clock.ts';

const STAGE_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod';
const methodArn = (route: string) => `${STAGE_ARN}/${route}`;

async function authorizerWith(grant: ApiKeyGrant, env: Record<string, string> = {}) {
  const clock = fakeClock();
  const keys = new MemoryApiKeyStore({ clock });
  const key = generateApiKey();
  await keys.saveKey(hashApiKey(key), grant);
  const authorize = makeAuthorizeHandler(compose(loadConfig({ POWERTOOLS_LOG_LEVEL: 'SILENT', ...env }), {}, { clock }), keys);
  const call = (authorizationToken: string, route = 'GET/v1/stats') => authorize({ type: 'TOKEN', authorizationToken, methodArn: methodArn(route) });
  return { key, keys, clock, call };
}

const allows = (result: APIGatewayAuthorizerResult, route: string) => policyAllows(result.policyDocument.Statement, methodArn(route));

describe('the TOKEN authorizer', () => {
  it('takes the Bearer scheme in any case, as the local gateway does', async () => {
    const { key, call } = await authorizerWith({ tenant: 'acme', scope: 'write' });
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) expect((await call(`${scheme} ${key}`)).context).toMatchObject({ tenantId: 'acme' });
    await expect(call(`Basic ${key}`)).rejects.toThrow('Unauthorized');
    await expect(call(key)).rejects.toThrow('Unauthorized');
  });

  it('allows a write key the whole stage, ingest included, and hands on its tenant and scope', async () => {
    const { key, call } = await authorizerWith({ tenant: 'acme', scope: 'write' });
    const result = await call(`Bearer ${key}`, 'POST/v1/events');
    expect(result.context).toEqual({ tenantId: 'acme', scope: 'write' });
    for (const route of ['POST/v1/events', 'POST/v1/runs/r-1/events', 'GET/v1/runs/r-1/stream', 'GET/v1/stats']) expect(allows(result, route)).toBe(true);
  });

  it('answers a read key with one policy for every route that denies both ingest routes and allows queries and streams', async () => {
    const { key, call } = await authorizerWith({ tenant: 'acme', scope: 'read' });
    // API Gateway caches the answer per key for every route, so the policy must not depend on the route asked.
    const [onQuery, onIngest] = [await call(`Bearer ${key}`, 'GET/v1/stats'), await call(`Bearer ${key}`, 'POST/v1/events')];
    expect(onQuery.policyDocument).toEqual(onIngest.policyDocument);
    expect(onQuery.context).toEqual({ tenantId: 'acme', scope: 'read' });
    expect(allows(onQuery, 'POST/v1/events')).toBe(false);
    expect(allows(onQuery, 'POST/v1/runs/r-1/events')).toBe(false);
    for (const route of ['GET/v1/runs', 'GET/v1/runs/r-1', 'GET/v1/runs/r-1/events', 'GET/v1/runs/r-1/stream', 'GET/v1/runs/r-1/tasks/t-1', 'GET/v1/stats']) expect(allows(onQuery, route)).toBe(true);
  });

  it('refuses an expired key even while its grant is cached, and hands on the expiry of one still valid', async () => {
    const { key, clock, call } = await authorizerWith({ tenant: 'acme', scope: 'write', expiresAt: new Date('2026-11-23T10:00:10Z') }, { RUNLEDGER_KEY_CACHE_SECONDS: '60' });
    expect((await call(`Bearer ${key}`)).context).toEqual({ tenantId: 'acme', scope: 'write', expiresAt: '2026-11-23T10:00:10.000Z' });
    clock.advanceSeconds(10);
    await expect(call(`Bearer ${key}`)).rejects.toThrow('Unauthorized');
  });

  it('refuses a revoked key once its in-function cache time (RUNLEDGER_KEY_CACHE_SECONDS) has passed, and not before', async () => {
    const { key, keys, clock, call } = await authorizerWith({ tenant: 'acme', scope: 'write' }, { RUNLEDGER_KEY_CACHE_SECONDS: '5' });
    await call(`Bearer ${key}`);
    await keys.revokeKey(hashApiKey(key).slice(0, 12));
    clock.advanceSeconds(4);
    expect((await call(`Bearer ${key}`)).principalId).toBe('acme');
    clock.advanceSeconds(1);
    await expect(call(`Bearer ${key}`)).rejects.toThrow('Unauthorized');
  });

  it('with a cache time of 0 refuses a revoked key on the very next call', async () => {
    const { key, keys, call } = await authorizerWith({ tenant: 'acme', scope: 'write' }, { RUNLEDGER_KEY_CACHE_SECONDS: '0' });
    await call(`Bearer ${key}`);
    await keys.revokeKey(hashApiKey(key).slice(0, 12));
    await expect(call(`Bearer ${key}`)).rejects.toThrow('Unauthorized');
  });

  it('caches for 5 seconds by default', () => {
    expect(loadConfig({}).RUNLEDGER_KEY_CACHE_SECONDS).toBe(5);
  });
});

describe('the authorizer with share tokens', () => {
  const signing = generateShareSigningKey('k1');
  async function shareAuthorizer() {
    const { clock, call } = await authorizerWith({ tenant: 'acme', scope: 'write' }, { RUNLEDGER_SHARE_SIGNING_KEYS: formatShareKeyRing({ current: signing }) });
    const token = signShareToken({ tenant: 'acme', runId: 'r-1', expiresAt: new Date(clock.now().getTime() + 60_000) }, signing);
    return { clock, call, token };
  }

  it('allows a share token GET on its own run\'s shared routes only, and hands on the run it is for', async () => {
    const { call, token } = await shareAuthorizer();
    const result = await call(`Bearer ${token}`, 'GET/v1/runs/r-1');
    expect(result.context).toMatchObject({ tenantId: 'acme', scope: 'read', shareRunId: 'r-1' });
    for (const route of ['GET/v1/runs/r-1', 'GET/v1/runs/r-1/events', 'GET/v1/runs/r-1/tasks', 'GET/v1/runs/r-1/tasks/t-1', 'GET/v1/runs/r-1/stream']) expect(allows(result, route), route).toBe(true);
    for (const route of ['GET/v1/runs/r-2', 'GET/v1/runs/r-10/events', 'GET/v1/runs', 'GET/v1/stats', 'POST/v1/runs/r-1/events', 'POST/v1/events', 'POST/v1/runs/r-1/share', 'GET/v1/openapi.json']) {
      expect(allows(result, route), route).toBe(false);
    }
  });

  it('takes a share token from ?token= in a REQUEST event, but never an API key from there', async () => {
    const { call, token } = await shareAuthorizer();
    const { key } = await authorizerWith({ tenant: 'acme', scope: 'write' });
    const authorize = makeAuthorizeHandler(compose(loadConfig({ POWERTOOLS_LOG_LEVEL: 'SILENT', RUNLEDGER_SHARE_SIGNING_KEYS: formatShareKeyRing({ current: signing }) }), {}, { clock: fakeClock() }), new MemoryApiKeyStore({ clock: fakeClock() }));
    const requestEvent = (query: Record<string, string>) => ({ ...proxyRequest(query), type: 'REQUEST' as const, methodArn: methodArn('GET/v1/runs/r-1') });
    expect((await authorize(requestEvent({ token }))).context).toMatchObject({ shareRunId: 'r-1' });
    await expect(authorize(requestEvent({ token: key }))).rejects.toThrow('Unauthorized');
    await expect(authorize(requestEvent({}))).rejects.toThrow('Unauthorized');
    expect((await call(`Bearer ${token}`)).principalId).toBe('acme/share/r-1');
  });

  it('refuses a share token once it expires, and any share token when no signing key is configured', async () => {
    const { clock, call, token } = await shareAuthorizer();
    clock.advanceSeconds(60);
    await expect(call(`Bearer ${token}`)).rejects.toThrow('Unauthorized');
    const { call: unconfigured } = await authorizerWith({ tenant: 'acme', scope: 'write' });
    await expect(unconfigured(`Bearer ${token}`)).rejects.toThrow('Unauthorized');
  });
});

function proxyRequest(query: Record<string, string>) {
  return {
    resource: '/v1/runs/{runId}',
    path: '/v1/runs/r-1',
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    pathParameters: { runId: 'r-1' },
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { ...makeProxyEvent({ method: 'GET', resource: '/v1/runs/{runId}', path: '/v1/runs/r-1' }).requestContext, authorizer: undefined },
  };
}
