import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { BINARY_MEDIA_TYPES, isShared, isStreaming, ROUTES, type Route } from '#functions/routes.ts';
import type { ResponseSink } from '#functions/http/response-sink.ts';
import { gatewayCorsHeaders, preflightHeaders } from '#functions/http/cors.ts';
import { header } from '#functions/http/header.ts';
import { errorResponse } from '#functions/http/responses.ts';
import type { LocalHandlers, TokenAuthorizer } from './handlers.ts';
import { policyAllows } from './authorizer-policy.ts';
import { answerClientError } from './client-error.ts';
import { isDashboardRequest, serveDashboard } from './dashboard-files.ts';
import { localLambdaContext } from './lambda-context.ts';
import { makeProxyEvent } from './proxy-event.ts';

/** API Gateway's own payload limit; the ingest handler enforces the contract's 1 MiB. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

type MatchedRoute = { route: Route; pathParameters: Record<string, string> | null };

/**
 * Plays API Gateway (REST, Lambda proxy) on 127.0.0.1: matches the route table, runs the TOKEN
 * authorizer for routes that need auth, turns the request into the proxy event Lambda would get,
 * calls the same handler, and writes its answer back.
 */
/**
 * Routes only the local stack has (Prometheus metrics, dead-letter admin): `METHOD /path` -> answer.
 * They need an API key like the API's own routes, and are handed the key's tenant to scope the answer.
 */
export type LocalRoutes = Record<string, (request: IncomingMessage, tenant: string) => Promise<APIGatewayProxyResult>>;

export function createGateway(options: {
  handlers: LocalHandlers;
  log?: (line: string) => void;
  localRoutes?: LocalRoutes;
  /** Browser origins allowed by CORS (RUNLEDGER_CORS_ORIGINS): the handlers add their headers, the gateway its own answers' and the preflight. */
  corsOrigins?: readonly string[];
  /** The built dashboard: files of `dir` under `path` (`/ui/`), same origin as the API. */
  dashboard?: { readonly path: string; readonly dir: string };
}): Server {
  const { handlers } = options;
  const corsOrigins = options.corsOrigins ?? [];
  // What API Gateway's own answers carry (gateway responses): fixed headers, naming the first origin.
  const own = (result: APIGatewayProxyResult): APIGatewayProxyResult => ({ ...result, headers: { ...result.headers, ...gatewayCorsHeaders(corsOrigins) } });
  const log = options.log ?? (() => undefined);
  const localRoutes = options.localRoutes ?? {};
  const server = createServer((request, response) => {
    const routeKey = `${request.method ?? 'GET'} ${new URL(request.url ?? '/', 'http://127.0.0.1').pathname}`;
    const local = Object.hasOwn(localRoutes, routeKey) ? localRoutes[routeKey] : undefined;
    const { dashboard } = options;
    if (dashboard !== undefined && isDashboardRequest(dashboard.path, request)) return serveDashboard(dashboard.dir, dashboard.path, request, response);
    const work = local === undefined ? handle(handlers, request, response, corsOrigins, own) : handleLocal(handlers.authorize, request, response, local, own);
    work.catch((error: unknown) => {
      log(`gateway error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!response.headersSent) send(response, own(errorResponse(500, { code: 'internal_error', message: 'something went wrong on our side; it has been logged' })));
      else response.destroy();
    });
  });
  server.on('clientError', answerClientError);
  return server;
}

type OwnAnswer = (result: APIGatewayProxyResult) => APIGatewayProxyResult;

async function handle(handlers: LocalHandlers, request: IncomingMessage, response: ServerResponse, corsOrigins: readonly string[], own: OwnAnswer): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = request.method ?? 'GET';
  const candidates = ROUTES.map((route) => ({ route, pathParameters: matchPath(route.path, url.pathname) })).filter(
    (match): match is { route: Route; pathParameters: Record<string, string> } => match.pathParameters !== undefined,
  );
  const matched: MatchedRoute | undefined = candidates.find(({ route }) => route.method === method);
  if (matched === undefined) {
    request.resume();
    const allowed = candidates.map(({ route }) => route.method);
    // The preflight of a known route, as API Gateway's OPTIONS method answers it (only when CORS is on).
    if (method === 'OPTIONS' && candidates.length > 0 && corsOrigins.length > 0) {
      return send(response, { statusCode: 204, headers: preflightHeaders(corsOrigins, request.headers.origin), body: '' });
    }
    return candidates.length === 0
      ? send(response, own(errorResponse(404, { code: 'not_found', message: `no route ${method} ${url.pathname}` })))
      : send(response, own(errorResponse(405, { code: 'method_not_allowed', message: `${url.pathname} answers ${allowed.join(', ')}` }, { allow: allowed.join(', ') })));
  }

  const body = await readBody(request);
  if (body === undefined) {
    return send(response, own(errorResponse(413, { code: 'payload_too_large', message: `the body is over ${GATEWAY_MAX_BODY_BYTES} bytes` })));
  }
  const event = toProxyEvent(request, url, matched, body);
  if (matched.route.auth) {
    // Run-read routes get API Gateway's REQUEST authorizer (a share token may come as `?token=`), the others the TOKEN one.
    const authorizer = await authorize(handlers.authorize, header(event, 'authorization'), event.httpMethod, event.path, isShared(matched.route) ? event : undefined);
    if (authorizer === 'unauthorized') return send(response, own(unauthorized()));
    if (authorizer === 'forbidden') return send(response, own(forbidden()));
    event.requestContext.authorizer = authorizer;
  }
  const { route } = matched;
  if (isStreaming(route)) {
    return handlers.streams[route.handler](event, nodeSink(request, response));
  }
  send(response, await handlers.routes[route.handler](event, localLambdaContext(`runledger-${route.handler}`)));
}

async function handleLocal(authorizer: TokenAuthorizer, request: IncomingMessage, response: ServerResponse, route: LocalRoutes[string], own: OwnAnswer): Promise<void> {
  request.resume();
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const context = await authorize(authorizer, request.headers.authorization, request.method ?? 'GET', url.pathname);
  if (context === 'forbidden') return send(response, own(forbidden()));
  const tenant = context === 'unauthorized' ? undefined : context.tenantId;
  if (tenant === undefined) return send(response, own(unauthorized()));
  send(response, own(await route(request, tenant)));
}

const unauthorized = () => errorResponse(401, { code: 'unauthorized', message: 'send "Authorization: Bearer <api key>" with a valid key' });
/** API Gateway's ACCESS_DENIED answer (infra/constructs/runledger-api.ts): the policy denied the route. */
const forbidden = () => errorResponse(403, { code: 'forbidden', message: "this credential does not allow this route (a read key cannot ingest; a share link reads its one run only)" });

/** A streamed answer written straight to the socket, chunk by chunk, as API Gateway's STREAM mode passes it on. */
function nodeSink(request: IncomingMessage, response: ServerResponse): ResponseSink {
  const closed = new AbortController();
  response.on('close', () => closed.abort());
  request.on('aborted', () => closed.abort());
  return {
    open(statusCode, headers) {
      response.writeHead(statusCode, headers);
      response.flushHeaders();
    },
    write: (chunk) =>
      new Promise((resolve, reject) => {
        response.write(chunk, (error) => (error ? reject(error) : resolve()));
      }),
    end: () => response.end(),
    closed: closed.signal,
  };
}

/**
 * What API Gateway does around a TOKEN authorizer: no header, no call, 401 (a REQUEST authorizer
 * without a cache is always called: it may find a `?token=`); a thrown
 * "Unauthorized" is 401 too; a policy that does not allow this method ARN is 403.
 */
async function authorize(
  handler: TokenAuthorizer,
  token: string | undefined,
  method: string,
  path: string,
  request?: APIGatewayProxyEvent,
): Promise<Record<string, string> | 'unauthorized' | 'forbidden'> {
  const methodArn = `arn:aws:execute-api:us-east-1:000000000000:local/local/${method}${path}`;
  if (request === undefined && (token === undefined || token === '')) return 'unauthorized';
  try {
    const result = await handler(
      request === undefined
        ? { type: 'TOKEN', authorizationToken: token ?? '', methodArn }
        : {
            type: 'REQUEST',
            methodArn,
            resource: request.resource,
            path: request.path,
            httpMethod: request.httpMethod,
            headers: request.headers,
            multiValueHeaders: request.multiValueHeaders,
            pathParameters: request.pathParameters,
            queryStringParameters: request.queryStringParameters,
            multiValueQueryStringParameters: request.multiValueQueryStringParameters,
            stageVariables: null,
            requestContext: { ...request.requestContext, authorizer: undefined },
          },
    );
    if (!policyAllows(result.policyDocument.Statement, methodArn)) return 'forbidden';
    const context = Object.fromEntries(Object.entries(result.context ?? {}).map(([key, value]) => [key, String(value)]));
    return { ...context, principalId: result.principalId };
  } catch (error: unknown) {
    if (error instanceof Error && error.message === 'Unauthorized') return 'unauthorized';
    throw error;
  }
}

/** `/v1/runs/{runId}` against a path: the parameters, or undefined when it does not match. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const templateParts = template.split('/');
  const pathParts = path.split('/');
  if (templateParts.length !== pathParts.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of templateParts.entries()) {
    const actual = pathParts[index] ?? '';
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined) {
      if (part !== actual) return undefined;
      continue;
    }
    if (actual === '') return undefined;
    try {
      parameters[name] = decodeURIComponent(actual);
    } catch {
      parameters[name] = actual;
    }
  }
  return parameters;
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.byteLength;
    if (size > GATEWAY_MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

function toProxyEvent(request: IncomingMessage, url: URL, { route, pathParameters }: MatchedRoute, body: Buffer): APIGatewayProxyEvent {
  const headers = collect(function* () {
    for (let index = 0; index < request.rawHeaders.length; index += 2) yield [request.rawHeaders[index] ?? '', request.rawHeaders[index + 1] ?? ''];
  });
  const query = collect(() => url.searchParams);
  const binary = isBinary(request);
  return makeProxyEvent({
    method: route.method,
    resource: route.path,
    path: url.pathname,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    query: query.single,
    multiValueQuery: query.multi,
    pathParameters,
    body: body.byteLength === 0 ? null : body.toString(binary ? 'base64' : 'utf8'),
    isBase64Encoded: binary && body.byteLength > 0,
    sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    userAgent: request.headers['user-agent'] ?? null,
  });
}

/**
 * Whether the body reaches the handler base64-encoded, bytes intact: a binary media type (as
 * API Gateway's binaryMediaTypes passes it), or a compressed body, which is not text either.
 */
function isBinary(request: IncomingMessage): boolean {
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase() ?? '';
  const encoding = request.headers['content-encoding']?.trim().toLowerCase() ?? 'identity';
  return (BINARY_MEDIA_TYPES as readonly string[]).includes(mediaType) || (encoding !== 'identity' && encoding !== '');
}

/**
 * Name/value pairs as API Gateway's single- and multi-value maps. Names come from the client, so they
 * are gathered in Maps first: indexing a plain object with `constructor` or `toString` would find
 * Object.prototype's members instead of nothing. Object.fromEntries then makes own properties only
 * (even for `__proto__`), as JSON.parse does for the event Lambda receives.
 */
function collect(pairs: () => Iterable<[string, string]>): { single: Record<string, string>; multi: Record<string, string[]> } {
  const single = new Map<string, string>();
  const multi = new Map<string, string[]>();
  for (const [name, value] of pairs()) {
    single.set(name, value);
    const values = multi.get(name);
    if (values === undefined) multi.set(name, [value]);
    else values.push(value);
  }
  return { single: Object.fromEntries(single), multi: Object.fromEntries(multi) };
}

function send(response: ServerResponse, result: APIGatewayProxyResult): void {
  const body = result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  response.writeHead(result.statusCode, { ...stringHeaders(result.headers), 'content-length': String(body.byteLength) });
  response.end(body);
}

function stringHeaders(headers: APIGatewayProxyResult['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}
