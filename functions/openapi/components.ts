import * as z from 'zod/mini';
import { ErrorBodySchema } from '#shared/contract/error-body.ts';
import { CustomEventSchema, KNOWN_EVENT_SCHEMAS, OccurredAtSchema, RunEventSchema, SeqSchema, type KnownEventType } from '#shared/contract/event.ts';
import { EventIdSchema, RunIdSchema, ThreadIdSchema } from '#shared/contract/ids.ts';
import { FieldErrorSchema } from '#shared/contract/issues.ts';
import { MAX_EVENTS_PER_REQUEST } from '#shared/contract/limits.ts';
import * as P from '#shared/contract/payloads.ts';
import { IngestResultSchema } from '#shared/ingest/ingest-result.ts';
import { OtlpExportTraceRequestSchema, OtlpExportTraceResponseSchema, OtlpStatusSchema } from '#shared/otlp/otlp-wire.ts';
import { ShareLinkSchema, ShareRequestSchema } from '#shared/contract/share.ts';
import { RunSummarySchema } from '#shared/run/run-summary.ts';
import { RUN_STATUSES } from '#shared/run/status.ts';
import { TaskViewSchema } from '#shared/run/task-view.ts';
import { WEBHOOK_COMPONENTS } from './webhook-components.ts';

/**
 * The named schemas of the OpenAPI document (`#/components/schemas/<name>`), every one the very zod
 * schema the code validates or answers with, or one derived from it below. A schema listed here is
 * referenced by name wherever it appears, so each shape is written once in the document.
 */

/** `run.progress` -> `RunProgressEvent`. */
function eventComponentName(type: string): string {
  return `${type.split(/[._]/).map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('')}Event`;
}

const knownEvents = Object.entries(KNOWN_EVENT_SCHEMAS) as Array<[KnownEventType, (typeof KNOWN_EVENT_SCHEMAS)[KnownEventType]]>;

/** The same event, every variant changed alike (runId optional, or seq and receivedAt added). */
function eachEvent(change: (schema: z.ZodMiniObject) => z.ZodMiniObject): z.ZodMiniUnion<z.ZodMiniObject[]> {
  return z.union([...knownEvents.map(([, schema]) => change(schema)), change(CustomEventSchema)]);
}

/** In `POST /v1/runs/{runId}/events` an event may leave out runId: the path gives it. */
const RunScopedEventSchema = eachEvent((schema) => z.extend(schema, { runId: z.optional(RunIdSchema) })).check(
  z.describe('An event posted to its run\'s URL: runId may be omitted and must equal the path when given.'),
);

/** An event as stored, listed and published: the envelope plus its seq and when runledger received it. */
const StoredEventSchema = eachEvent((schema) =>
  z.extend(schema, { seq: SeqSchema.check(z.describe('Its place in the run, unique within the run.')), receivedAt: z.iso.datetime({ offset: true }) }),
);

const batchOf = (event: z.ZodMiniType) => z.object({ events: z.array(event).check(z.minLength(1), z.maxLength(MAX_EVENTS_PER_REQUEST)) });

export const COMPONENT_SCHEMAS = {
  EventId: EventIdSchema,
  RunId: RunIdSchema,
  ThreadId: ThreadIdSchema,
  Timestamp: OccurredAtSchema,
  Seq: SeqSchema,
  // Every schema of the payloads module by its own name (`RunProgressPayloadSchema` -> `RunProgressPayload`),
  // sorted: the order of a module namespace's keys differs between Node and vitest's transform.
  ...Object.fromEntries(
    Object.entries(P)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, schema]) => [name.replace(/Schema$/, ''), schema]),
  ),
  ...Object.fromEntries(knownEvents.map(([type, schema]) => [eventComponentName(type), schema])),
  CustomEvent: CustomEventSchema,
  RunEvent: RunEventSchema,
  RunScopedEvent: RunScopedEventSchema,
  StoredEvent: StoredEventSchema,
  EventBatch: batchOf(RunEventSchema).check(z.describe(`1 to ${MAX_EVENTS_PER_REQUEST} events of any runs; at most 1 MiB in all, 64 KiB each.`)),
  RunEventsBody: z
    .union([RunScopedEventSchema, batchOf(RunScopedEventSchema)])
    .check(z.describe(`One event, or {"events": [1 to ${MAX_EVENTS_PER_REQUEST} events]} of this run; at most 1 MiB in all, 64 KiB each.`)),
  FieldError: FieldErrorSchema,
  IngestResult: IngestResultSchema,
  IngestResponse: z.object({ results: z.array(IngestResultSchema).check(z.describe('One answer per event, in request order.')) }),
  Error: ErrorBodySchema,
  RunSummary: RunSummarySchema,
  EventPage: z.object({
    events: z.array(StoredEventSchema).check(z.describe('In seq order.')),
    nextAfterSeq: z.nullable(z.int()).check(z.describe('Pass as afterSeq for the next page; null when the run has nothing after this page.')),
  }),
  RunList: z.object({
    runs: z.array(RunSummarySchema).check(z.describe('Most recently updated first (updated-at to the minute, then runId).')),
    nextCursor: z.nullable(z.string()).check(z.describe('Pass as cursor, with the same filters, for the next page; null on the last page.')),
  }),
  TaskView: TaskViewSchema,
  TaskList: z.object({ tasks: z.array(TaskViewSchema) }),
  TaskHistory: z.object({ task: TaskViewSchema, events: z.array(StoredEventSchema), nextAfterSeq: z.nullable(z.int()) }),
  Stats: z.object({ runs: z.object(Object.fromEntries(RUN_STATUSES.map((status) => [status, z.int().check(z.gte(0))]))) }),
  Health: z.object({ status: z.literal('ok') }),
  OtlpExportTraceRequest: OtlpExportTraceRequestSchema,
  OtlpExportTraceResponse: OtlpExportTraceResponseSchema,
  OtlpStatus: OtlpStatusSchema,
  ShareRequest: ShareRequestSchema,
  ShareLink: ShareLinkSchema,
  OpenApiDocument: z.looseObject({ openapi: z.string() }).check(z.describe('This document.')),
  ...WEBHOOK_COMPONENTS,
} satisfies Record<string, z.ZodMiniType>;

export type ComponentName = keyof typeof COMPONENT_SCHEMAS;
