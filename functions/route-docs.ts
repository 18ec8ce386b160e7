import type * as z from 'zod/mini';
import { IdSchema } from '#shared/contract/ids.ts';
import { TaskIdSchema } from '#shared/contract/payloads.ts';
import { EventPageQuerySchema, ResumeSeqSchema, RunsQuerySchema, StreamQuerySchema, TaskHistoryQuerySchema } from '#shared/query/query-params.ts';
import type { ComponentName } from './openapi/components.ts';
import { WEBHOOK_ROUTE_DOCS } from './webhook-route-docs.ts';
import type { Route } from './routes.ts';

/**
 * The OpenAPI documentation of every route in the route table (functions/routes.ts), keyed
 * `METHOD /path`. The key type is derived from ROUTES, so a route without an entry here does not
 * compile (and test/unit/openapi.unit.test.ts fails): adding a route means adding one entry.
 * Schemas are named components (functions/openapi/components.ts) or, for query parameters, the zod
 * object the handler parses. 401 (routes with auth), 429 and 500 are added to every route by the
 * generator (functions/openapi/build-openapi.ts); list the route's own answers here.
 */
type KeyOf<R> = R extends Route ? `${R['method']} ${R['path']}` : never;
export type RouteKey = KeyOf<Route>;

export type ResponseDoc = {
  readonly description: string;
  /** One component, or several when the answer is one of them (`oneOf`); none for an answer without a body (204). */
  readonly schema?: ComponentName | readonly ComponentName[];
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly schema: Readonly<Record<string, unknown>> }>>;
  /** Server-Sent Events (`text/event-stream`) whose `data:` lines each hold one `schema`, instead of one JSON body. */
  readonly stream?: boolean;
  /** The media types the body comes in; `application/json` when not given. */
  readonly contentTypes?: readonly string[];
};

export type RouteDoc = {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: 'ingest' | 'query' | 'meta' | 'webhooks';
  /** The zod object the handler parses `queryStringParameters` with; each field becomes a parameter. */
  readonly query?: z.ZodMiniObject;
  /** Request headers the route reads besides Authorization (e.g. `Last-Event-ID`). */
  readonly requestHeaders?: Readonly<Record<string, { readonly schema: z.ZodMiniType; readonly description: string }>>;
  readonly body?: {
    readonly schema: ComponentName;
    readonly description: string;
    readonly examples: Readonly<Record<string, { readonly summary: string; readonly value: unknown }>>;
    /** The media types the body may come in; `application/json` when not given. */
    readonly contentTypes?: readonly string[];
  };
  readonly responses: Readonly<Record<number, ResponseDoc>>;
};

/** Path parameters by name: one meaning each across the API. A new `{name}` in a route path must be added here (a type error otherwise). */
type ParamsOf<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamsOf<Rest> : never;
export const PATH_PARAMETERS: Record<ParamsOf<Route['path']>, { readonly schema: z.ZodMiniType; readonly description: string }> = {
  runId: { schema: IdSchema, description: 'The run: any id the producer chose (1-128 of [A-Za-z0-9._:-]).' },
  taskId: { schema: TaskIdSchema, description: 'The task within the run, as the events\' payload.taskId named it.' },
  subscriptionId: { schema: IdSchema, description: 'A webhook subscription (`sub_...`), as created.' },
};

const OTLP_PROTOBUF = 'application/x-protobuf';
const OTLP_TYPES = ['application/json', OTLP_PROTOBUF] as const;

const error = (description: string): ResponseDoc => ({ description, schema: 'Error' });
const NOT_FOUND = error('No such run for this API key\'s tenant (another tenant\'s run is a 404 too).');
const BAD_PARAMETER = error('A path or query parameter is malformed; `error.details` names it.');

const EXAMPLE_EVENTS = [
  { eventId: 'e1', seq: 1, type: 'run.started', occurredAt: '2026-11-23T10:00:00Z' },
  { eventId: 'e2', seq: 2, type: 'run.progress', occurredAt: '2026-11-23T10:00:05Z', payload: { progress: 0.4, message: 'fetched 40 of 100 pages' } },
  { eventId: 'e3', seq: 3, type: 'task.completed', occurredAt: '2026-11-23T10:00:09Z', payload: { taskId: 'fetch-pages', durationMs: 9000 } },
  { eventId: 'e4', seq: 4, type: 'run.completed', occurredAt: '2026-11-23T10:00:10Z', payload: { result: { pages: 100 }, usage: { inputTokens: 1200, outputTokens: 300 } } },
];

const INGEST_RESPONSES: Readonly<Record<number, ResponseDoc>> = {
  202: { description: 'Every event is accepted or a duplicate (already stored: safe to resend).', schema: 'IngestResponse' },
  207: { description: 'Some events are stored and some are not: read each result.', schema: 'IngestResponse' },
  400: {
    description: 'None stored: every event was rejected (per-event `errors`), or the body is not JSON or not of the right shape (`error`).',
    schema: ['IngestResponse', 'Error'],
  },
  409: { description: 'None stored: every event conflicts (eventId reused with other content, seq taken, sequencing mode mixed).', schema: 'IngestResponse' },
  413: error('Over 1 MiB or over 100 events. Nothing stored.'),
  415: error('The body is not declared `application/json`. Nothing stored.'),
};

export const ROUTE_DOCS: Record<RouteKey, RouteDoc> = {
  ...WEBHOOK_ROUTE_DOCS,
  'POST /v1/runs/{runId}/events': {
    operationId: 'postRunEvents',
    summary: 'Send events of one run',
    description:
      'One event object, or `{"events": [...]}`. Events carrying `seq` make the run producer-sequenced (stored at that seq); ' +
      'without `seq` runledger numbers them 1, 2, 3... A run is one mode or the other. Resending an eventId answers `duplicate`.',
    tag: 'ingest',
    body: {
      schema: 'RunEventsBody',
      description: 'The events; runId may be left out.',
      examples: {
        batch: { summary: 'A producer-sequenced run, start to finish', value: { events: EXAMPLE_EVENTS } },
        single: { summary: 'One server-sequenced event', value: { eventId: 'hb-1', type: 'run.heartbeat', occurredAt: '2026-11-23T10:00:00Z' } },
      },
    },
    responses: INGEST_RESPONSES,
  },
  'POST /v1/events': {
    operationId: 'postEvents',
    summary: 'Send events of any runs',
    description: 'Like `POST /v1/runs/{runId}/events`, with runId in every event.',
    tag: 'ingest',
    body: {
      schema: 'EventBatch',
      description: 'The events, each naming its run.',
      examples: { batch: { summary: 'Two runs in one request', value: { events: [{ ...EXAMPLE_EVENTS[0], runId: 'run-a' }, { ...EXAMPLE_EVENTS[0], runId: 'run-b' }] } } },
    },
    responses: INGEST_RESPONSES,
  },
  'GET /v1/runs': {
    operationId: 'listRuns',
    summary: 'The tenant\'s runs, most recently updated first',
    description:
      'From an index, never a scan: the cost follows the page. Filter by status and/or threadId; continue with `cursor=nextCursor` ' +
      'and the same filters until it is null. A cursor is bound to the tenant and filters it was returned for.',
    tag: 'query',
    query: RunsQuerySchema,
    responses: { 200: { description: 'A page of run summaries.', schema: 'RunList' }, 400: BAD_PARAMETER },
  },
  'GET /v1/runs/{runId}': {
    operationId: 'getRun',
    summary: 'A run\'s summary',
    description: 'Status (in seq order, terminal statuses sticky), timings, task counts, missing seqs, result, error, usage.',
    tag: 'query',
    responses: { 200: { description: 'The run.', schema: 'RunSummary' }, 400: BAD_PARAMETER, 404: NOT_FOUND },
  },
  'GET /v1/runs/{runId}/events': {
    operationId: 'listRunEvents',
    summary: 'A page of a run\'s events in seq order',
    description: 'Continue with `afterSeq=nextAfterSeq` until it is null. The cost grows with the page, not with the run.',
    tag: 'query',
    query: EventPageQuerySchema,
    responses: { 200: { description: 'The page.', schema: 'EventPage' }, 400: BAD_PARAMETER, 404: NOT_FOUND },
  },
  'GET /v1/runs/{runId}/stream': {
    operationId: 'streamRun',
    summary: 'Follow a run live (Server-Sent Events)',
    description:
      'Every event in seq order as `id: <seq>`, `event: <type>`, `data: <stored event>`, a `: heartbeat` comment every 15 s, ' +
      'and the stream ends after the terminal event. Resumes exactly after `Last-Event-ID` (or `afterSeq`): no repeat, no gap; ' +
      'a stream never skips a missing producer seq. A stream lasts at most 14 minutes: reconnect with the last id. ' +
      'At most `maxOpenStreams` streams (all tenants) are open at once: the next answers 429 with `Retry-After`.',
    tag: 'query',
    query: StreamQuerySchema,
    requestHeaders: { 'Last-Event-ID': { schema: ResumeSeqSchema, description: 'The last seq received; what EventSource sends when it reconnects.' } },
    responses: {
      200: { description: 'The stream of the run\'s events.', schema: 'StoredEvent', stream: true },
      204: { description: 'The run has ended and everything up to its terminal event was read: EventSource stops reconnecting.' },
      400: BAD_PARAMETER,
      404: NOT_FOUND,
    },
  },
  'GET /v1/runs/{runId}/tasks': {
    operationId: 'listRunTasks',
    summary: 'A run\'s tasks with their status',
    tag: 'query',
    responses: { 200: { description: 'Every task of the run, in the order they began.', schema: 'TaskList' }, 400: BAD_PARAMETER, 404: NOT_FOUND },
  },
  'GET /v1/runs/{runId}/tasks/{taskId}': {
    operationId: 'getRunTask',
    summary: 'One task and its events in order',
    tag: 'query',
    query: TaskHistoryQuerySchema,
    responses: { 200: { description: 'The task and a page of its events.', schema: 'TaskHistory' }, 400: BAD_PARAMETER, 404: error('No such run or task.') },
  },
  'POST /v1/runs/{runId}/share': {
    operationId: 'shareRun',
    summary: 'A read-only link to one run',
    description:
      'A signed token that reads this run only (summary, events, tasks, stream) until it expires, as `Authorization: Bearer <token>` ' +
      'or `?token=<token>`; it cannot ingest, list runs, read another run or make share links. `url` opens the dashboard\'s view of the run ' +
      'with no API key. A tampered or expired token answers 401. The signing keys rotate (current and previous) without breaking links.',
    tag: 'query',
    body: {
      schema: 'ShareRequest',
      description: 'Optional; an empty body gives a link for a day.',
      examples: { week: { summary: 'A link that works for a week', value: { expiresInSeconds: 604_800 } } },
    },
    responses: {
      201: { description: 'The token, its expiry and the dashboard link.', schema: 'ShareLink' },
      400: error('The body is not JSON, or expiresInSeconds is out of range; `error.details` names it.'),
      403: error('A share token cannot make share links.'),
      404: NOT_FOUND,
      415: error('A body was sent that is not declared `application/json`.'),
    },
  },
  'GET /v1/stats': {
    operationId: 'getStats',
    summary: 'The tenant\'s runs counted by status',
    description: 'One read: the counts are kept current by every write, never computed by a scan.',
    tag: 'query',
    responses: { 200: { description: 'Counts by status.', schema: 'Stats' } },
  },
  'GET /v1/openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI document',
    description: 'The contract, generated from the zod schemas the handlers validate with. The same file ships in the package as `runledger/openapi.json`.',
    tag: 'meta',
    responses: { 200: { description: 'OpenAPI 3.1.', schema: 'OpenApiDocument' } },
  },
  'POST /v1/traces': {
    operationId: 'postTraces',
    summary: 'Receive an OTLP/HTTP trace export',
    description:
      'Point an OpenTelemetry exporter here (`OTEL_EXPORTER_OTLP_ENDPOINT=<this API>`): spans become runs, tasks and events ' +
      '(the mapping is in docs/opentelemetry.md), server-sequenced and idempotent by span id, so a retried export stores nothing twice. ' +
      'Protobuf or the OTLP JSON mapping, optionally `Content-Encoding: gzip`; the answer comes in the request\'s encoding. ' +
      'Errors carry a google.rpc.Status body (as OTLP/HTTP specifies).',
    tag: 'ingest',
    body: {
      schema: 'OtlpExportTraceRequest',
      description: 'An ExportTraceServiceRequest.',
      contentTypes: [OTLP_PROTOBUF, 'application/json'],
      examples: {
        agent: {
          summary: 'An agent span (the run) and one tool call (a task)',
          value: {
            resourceSpans: [
              {
                resource: { attributes: [{ key: 'service.name', value: { stringValue: 'support-agent' } }] },
                scopeSpans: [
                  {
                    spans: [
                      { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'invoke_agent support', kind: 1, startTimeUnixNano: '1764669600000000000', endTimeUnixNano: '1764669609000000000', attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'invoke_agent' } }, { key: 'gen_ai.agent.name', value: { stringValue: 'support' } }] },
                      { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b175', parentSpanId: 'eee19b7ec3c1b174', name: 'execute_tool lookup_order', kind: 1, startTimeUnixNano: '1764669601000000000', endTimeUnixNano: '1764669602000000000', attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } }, { key: 'gen_ai.tool.name', value: { stringValue: 'lookup_order' } }], status: { code: 2, message: 'order service timed out' } },
                    ],
                  },
                ],
              },
            ],
          },
        },
      },
    },
    responses: {
      200: { description: 'Taken: every span stored (or already stored), or `partialSuccess` counting the spans that could not be (never retried).', schema: 'OtlpExportTraceResponse', contentTypes: OTLP_TYPES },
      400: { description: 'The body does not decode (malformed protobuf or JSON, bad gzip, ids, nesting past 16 levels, a string past 32 KiB). Nothing stored.', schema: 'OtlpStatus', contentTypes: OTLP_TYPES },
      413: { description: 'Over 4 MiB, compressed or once gunzipped. Nothing stored.', schema: 'OtlpStatus', contentTypes: OTLP_TYPES },
      415: { description: 'Neither `application/x-protobuf` nor `application/json`, or an encoding other than gzip. Nothing stored.', schema: 'OtlpStatus' },
    },
  },
  'GET /v1/health': {
    operationId: 'getHealth',
    summary: 'Liveness, no auth',
    tag: 'meta',
    responses: { 200: { description: 'The API answers.', schema: 'Health' } },
  },
};
