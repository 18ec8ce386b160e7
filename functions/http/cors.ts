import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { header } from './header.ts';

/** What a browser may send besides the CORS-safelisted headers: the preflight allows these (API Gateway's and the local one). */
export const CORS_ALLOW_HEADERS = ['Authorization', 'Content-Type', 'Last-Event-ID'] as const;
/** What a page may read besides the safelisted response headers: a 429's wait. */
export const CORS_EXPOSE_HEADERS = ['Retry-After'] as const;
export const CORS_ALLOW_METHODS = ['GET', 'POST', 'OPTIONS'] as const;
/**
 * `https://a.example.com, https://b.example.com` as a list: the one reading of RUNLEDGER_CORS_ORIGINS,
 * used by the config schema and by the two functions that run without one (health, get-openapi).
 */
export function parseOrigins(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
}

/** How long a browser may keep a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 3600;

/**
 * The CORS headers of an answer to a request from `origin`: the origin echoed when it is one of
 * `allowed` (exact match, as browsers send it), nothing when it is not. `Vary: Origin` whenever
 * CORS is on, so a cache never hands one origin's answer to another.
 *
 * Written here rather than with @middy/http-cors because the SSE route is not a middy pipeline
 * (it writes to a response stream) and the local gateway's own answers need the same rule.
 */
export function corsHeaders(allowed: readonly string[], origin: string | undefined): Record<string, string> {
  if (allowed.length === 0) return {};
  if (origin === undefined || !allowed.includes(origin)) return { vary: 'Origin' };
  return { vary: 'Origin', 'access-control-allow-origin': origin, 'access-control-expose-headers': CORS_EXPOSE_HEADERS.join(',') };
}

/** The CORS headers for a request event (its `Origin` header). */
export function corsHeadersFor(allowed: readonly string[], event: Pick<APIGatewayProxyEvent, 'headers'>): Record<string, string> {
  return corsHeaders(allowed, header(event, 'origin'));
}

/** Adds the CORS headers to every answer of a middy pipeline, error answers included (use it before the error middleware). */
export function cors(allowed: readonly string[]): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const addHeaders = (request: { event: APIGatewayProxyEvent; response: APIGatewayProxyResult | null | undefined }) => {
    const { response } = request;
    if (response === null || response === undefined) return;
    request.response = { ...response, headers: { ...response.headers, ...corsHeadersFor(allowed, request.event) } };
  };
  return { after: addHeaders, onError: addHeaders };
}

/**
 * The CORS headers of the answers API Gateway makes itself (gateway responses: 401, 404, 413, 429,
 * 5XX). Their headers are fixed per API, with no condition on the request, so they name one origin,
 * the first: a page on another allowed origin cannot read those few answers (docs/http-api.md).
 * The local gateway gives its own answers the same headers, so a page sees there what it will see in AWS.
 */
export function gatewayCorsHeaders(allowed: readonly string[]): Record<string, string> {
  const [first] = allowed;
  if (first === undefined) return {};
  return { vary: 'Origin', 'access-control-allow-origin': first, 'access-control-expose-headers': CORS_EXPOSE_HEADERS.join(',') };
}

/**
 * The preflight's answer headers, as API Gateway's mock OPTIONS method (CDK's) gives them: the
 * request's origin when allowed, else the first allowed one (which the browser then refuses).
 */
export function preflightHeaders(allowed: readonly string[], origin: string | undefined): Record<string, string> {
  return {
    ...gatewayCorsHeaders(allowed),
    ...(origin !== undefined && allowed.includes(origin) ? { 'access-control-allow-origin': origin } : {}),
    'access-control-allow-methods': CORS_ALLOW_METHODS.join(','),
    'access-control-allow-headers': CORS_ALLOW_HEADERS.join(','),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
  };
}
