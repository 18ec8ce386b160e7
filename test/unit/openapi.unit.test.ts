import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument, operationOf, renderOpenApiDocument } from '#functions/openapi/build-openapi.ts';
import { COMPONENT_SCHEMAS } from '#functions/openapi/components.ts';
import { ROUTE_DOCS } from '#functions/route-docs.ts';
import { isShared, ROUTES } from '#functions/routes.ts';
import packageJson from '../../package.json' with { type: 'json' };

const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
const document = buildOpenApiDocument({ version: packageJson.version });

/** The generated document's operation for a route, read back as plain JSON. */
function operation(method: string, path: string): Record<string, unknown> | undefined {
  const parsed: unknown = JSON.parse(JSON.stringify(document));
  const paths = (parsed as { paths: Record<string, Record<string, Record<string, unknown>>> }).paths;
  return paths[path]?.[method.toLowerCase()];
}

describe('the OpenAPI document', () => {
  it('is committed as generated: run `npm run openapi` after changing a route, a route doc or a schema', () => {
    expect(committed).toBe(renderOpenApiDocument(packageJson.version));
  });

  it('documents every route of the route table, and nothing else', () => {
    for (const route of ROUTES) expect(operation(route.method, route.path), `${route.method} ${route.path}`).toBeDefined();
    expect(Object.keys(ROUTE_DOCS).sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('is valid OpenAPI 3.1 for a real validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(committed) as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('is checked by that validator for real: a broken document fails', async () => {
    const broken = { ...(JSON.parse(committed) as Record<string, unknown>), paths: { '/v1/x': { get: { responses: { 200: { content: 'no' } } } } } };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('asks for the bearer key on every route but health and the document itself, and takes a share token on a run\'s GET routes', () => {
    for (const route of ROUTES) {
      const security = operation(route.method, route.path)?.security;
      if (route.auth && isShared(route)) expect(security, route.path).toEqual([{ bearerApiKey: [] }, { shareToken: [] }]);
      else if (route.auth) expect(security, route.path).toBeUndefined();
      else expect(security, route.path).toEqual([]);
    }
    expect(document.security).toEqual([{ bearerApiKey: [] }]);
  });

  it('gives examples the contract accepts', () => {
    const examples = Object.values(ROUTE_DOCS).flatMap((doc) =>
      doc.body === undefined ? [] : Object.values(doc.body.examples).map((example) => ({ schema: COMPONENT_SCHEMAS[doc.body?.schema ?? 'RunEvent'], value: example.value })),
    );
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const { schema, value } of examples) expect(schema.safeParse(value).error).toBeUndefined();
  });

  it('answers errors in the contract\'s shape, and 429 with Retry-After', () => {
    const responses = operation('GET', '/v1/runs/{runId}')?.responses as Record<string, { content: unknown; headers?: Record<string, unknown> }>;
    expect(responses[404]?.content).toEqual({ 'application/json': { schema: { $ref: '#/components/schemas/Error' } } });
    expect(responses[401]).toBeDefined();
    expect(Object.keys(responses[429]?.headers ?? {})).toEqual(['Retry-After']);
  });
});

describe('a route entry for a streaming route', () => {
  it('documents SSE answers and request headers such as Last-Event-ID, and stays valid OpenAPI 3.1', async () => {
    const stream = operationOf(
      { path: '/v1/runs/{runId}/stream', auth: true },
      {
        operationId: 'streamRunEvents',
        summary: 'Follow a run',
        tag: 'query',
        requestHeaders: { 'Last-Event-ID': { schema: z.string().regex(/^\d+$/).optional(), description: 'Resume after this seq.' } },
        responses: { 200: { description: 'The run\'s events as they are stored.', schema: 'StoredEvent', stream: true } },
      },
    );
    expect(stream.parameters).toContainEqual({ name: 'Last-Event-ID', in: 'header', required: false, description: 'Resume after this seq.', schema: { type: 'string', pattern: '^\\d+$' } });
    expect(Object.keys((stream.responses as Record<string, { content: object }>)[200]?.content ?? {})).toEqual(['text/event-stream']);
    const withStream = { ...document, paths: { ...(document.paths as object), '/v1/runs/{runId}/stream': { get: stream } } };
    expect((await new Validator().validate(withStream)).valid).toBe(true);
  });

  it('refuses a path parameter nobody described', () => {
    expect(() => operationOf({ path: '/v1/things/{thingId}', auth: true }, { operationId: 'x', summary: 'x', tag: 'query', responses: {} })).toThrow(/thingId.*PATH_PARAMETERS/);
  });
});
