import * as z from 'zod/mini';
import { ROUTES, scopeOf, type Route } from '../routes.ts';
import { PATH_PARAMETERS, ROUTE_DOCS, type ResponseDoc, type RouteDoc, type RouteKey } from '../route-docs.ts';
import { COMPONENT_SCHEMAS, type ComponentName } from './components.ts';

type JsonObject = Record<string, unknown>;

const SCHEMA_REF = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
const BEARER = 'bearerApiKey';
const SHARE_TOKEN = 'shareToken';

/** Answers any route can give, from API Gateway or the function: listed once here. */
function commonResponses(route: RouteShape): Record<number, ResponseDoc> {
  const unauthorized: Record<number, ResponseDoc> = { 401: { description: 'No `Authorization: Bearer <api key>` header, or an unknown, revoked or expired key.', schema: 'Error' } };
  const forbidden: Record<number, ResponseDoc> = { 403: { description: '`forbidden`: the key\'s scope does not cover this route (a `read` key cannot ingest). Nothing was stored.', schema: 'Error' } };
  return {
    ...(route.auth ? unauthorized : {}),
    ...(route.auth && route.handler !== undefined && scopeOf({ handler: route.handler, ...(route.method === undefined ? {} : { method: route.method }) }) === 'write' ? forbidden : {}),
    429: {
      description: 'Throttled: retry after the seconds in `Retry-After`. Nothing was stored.',
      schema: 'Error',
      headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } } },
    },
    500: { description: 'Something failed on our side; the body never holds internals.', schema: 'Error' },
  };
}

/**
 * The OpenAPI 3.1 document of the HTTP API, from the route table (functions/routes.ts), each
 * route's entry in functions/route-docs.ts and the contract's zod schemas. Pure and deterministic:
 * `npm run openapi` writes it to openapi.json, and a test fails when that file drifts from it.
 */
export function buildOpenApiDocument({ version }: { version: string }): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of ROUTES) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route, ROUTE_DOCS[routeKey(route)]);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'runledger',
      version,
      summary: 'Run lifecycle events: validated, sequenced, stored, fanned out.',
      description:
        'Agents, job runners and pipelines send run lifecycle events; runledger validates each one, stores it with a per-run seq ' +
        '(idempotent by eventId), publishes it to observers and answers run-status queries. Every route but `/v1/health` and ' +
        '`/v1/openapi.json` takes `Authorization: Bearer <api key>`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'The local stack (`npm start`).' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
        description: 'A `cdk deploy`ed stack: its `ApiUrl` output.',
        variables: { apiId: { default: 'abc123' }, region: { default: 'us-east-1' }, stage: { default: 'dev' } },
      },
    ],
    security: [{ [BEARER]: [] }],
    tags: [
      { name: 'ingest', description: 'Send events.' },
      { name: 'query', description: 'Runs, their events and tasks, counts.' },
      { name: 'meta', description: 'Health and this document.' },
      { name: 'webhooks', description: 'Webhook subscriptions, replay, redrive, and the delivery ledger.' },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        [BEARER]: { type: 'http', scheme: 'bearer', description: 'An API key (`npm run keys -- create --tenant NAME`); it names the tenant. On a run\'s GET routes, also a share token (`POST /v1/runs/{runId}/share`).' },
        [SHARE_TOKEN]: { type: 'apiKey', in: 'query', name: 'token', description: 'A share token (`POST /v1/runs/{runId}/share`) in the URL, for clients that cannot set headers (EventSource). Never an API key.' },
      },
    },
  };
}

/** TypeScript cannot pair a union's method with its own path in a template literal; ROUTE_DOCS' key type is exactly these. */
function routeKey(route: Route): RouteKey {
  return `${route.method} ${route.path}` as RouteKey;
}

/** What the document needs of a route: its path, for the path parameters, whether it takes a key, and its handler, for the scope it needs. */
type RouteShape = Pick<Route, 'auth'> & { readonly path: string; readonly handler?: Route['handler']; readonly shared?: boolean; readonly method?: string };

/** One route's operation object. Exported so a route's entry can be checked before the route exists. */
export function operationOf(route: RouteShape, doc: RouteDoc): JsonObject {
  const responses = { ...doc.responses, ...commonResponses(route) };
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    tags: [doc.tag],
    ...(route.auth ? (route.shared === true ? { security: [{ [BEARER]: [] }, { [SHARE_TOKEN]: [] }] } : {}) : { security: [] }),
    ...(parametersOf(route, doc).length === 0 ? {} : { parameters: parametersOf(route, doc) }),
    ...(doc.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            description: doc.body.description,
            content: bodyContentOf(doc.body),
          },
        }),
    responses: Object.fromEntries(
      Object.entries(responses)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([status, response]) => [status, responseOf(response)]),
    ),
  };
}

/** The request body's media types; examples (written as JSON) go with the JSON one. */
function bodyContentOf(body: NonNullable<RouteDoc['body']>): JsonObject {
  const schema = SCHEMA_REF(body.schema);
  return Object.fromEntries((body.contentTypes ?? ['application/json']).map((type) => [type, type === 'application/json' ? { schema, examples: body.examples } : { schema }]));
}

function responseOf(response: ResponseDoc): JsonObject {
  if (response.schema === undefined) return { description: response.description };
  const names = typeof response.schema === 'string' ? [response.schema] : response.schema;
  const schema = names.length === 1 && names[0] !== undefined ? SCHEMA_REF(names[0]) : { oneOf: names.map(SCHEMA_REF) };
  // OpenAPI 3.1 cannot type the events of a stream; the description names their schema.
  const content = response.stream
    ? { 'text/event-stream': { schema: { type: 'string', description: `Server-Sent Events; each \`data:\` is one ${names.join(' or ')} as JSON.` } } }
    : Object.fromEntries((response.contentTypes ?? ['application/json']).map((type) => [type, { schema }]));
  return {
    description: response.description,
    ...(response.headers === undefined ? {} : { headers: response.headers }),
    content,
  };
}

function parametersOf(route: RouteShape, doc: RouteDoc): JsonObject[] {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
  const path = names.map((name) => {
    const parameter = Object.hasOwn(PATH_PARAMETERS, name) ? PATH_PARAMETERS[name as keyof typeof PATH_PARAMETERS] : undefined;
    if (parameter === undefined) throw new Error(`path parameter {${name}} of ${route.path} has no entry in PATH_PARAMETERS (functions/route-docs.ts)`);
    return { name, in: 'path', required: true, description: parameter.description, schema: inlineSchema(parameter.schema) };
  });
  const shape: Readonly<Record<string, z.core.$ZodType>> = doc.query?.shape ?? {};
  const query = Object.entries(shape).map(([name, schema]) => ({
    name,
    in: 'query',
    // A parameter whose absence parses (optional or defaulted) is not required.
    required: !z.safeParse(schema, undefined).success,
    ...descriptionOf(schema),
    schema: inlineSchema(schema),
  }));
  const headers = Object.entries(doc.requestHeaders ?? {}).map(([name, header]) => ({
    name,
    in: 'header',
    required: !header.schema.safeParse(undefined).success,
    description: header.description,
    schema: inlineSchema(header.schema),
  }));
  return [...path, ...query, ...headers];
}

/** A parameter's schema as sent (query values are strings): the input side of the zod schema. */
function inlineSchema(schema: z.core.$ZodType): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' });
  return rest;
}

/** The schema's `description` (zod/mini keeps it in the global registry, as classic's `.describe()` does). */
function descriptionOf(schema: z.core.$ZodType): { description?: string } {
  const description = z.globalRegistry.get(schema)?.description;
  return description === undefined ? {} : { description };
}

function componentSchemas(): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENT_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'throw' });
  // Components live inside the document: OpenAPI 3.1 takes its dialect from the document, and $id would re-base their refs.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]));
}

/** The document as openapi.json holds it: two-space JSON with a final newline, so diffs stay readable. */
export function renderOpenApiDocument(version: string): string {
  return `${JSON.stringify(buildOpenApiDocument({ version }), null, 2)}\n`;
}
