import { isValidId } from '../contract/ids.ts';
import type { Attributes, AttributeValue, OtlpSpan, OtlpSpanEvent } from './read-export-request.ts';

/**
 * An event the mapping makes, in the contract's envelope (docs/contract.md). It is validated by the
 * ingest use case like any producer's event: the mapping builds, the contract judges.
 */
export type MappedEvent = {
  readonly eventId: string;
  readonly runId: string;
  readonly threadId?: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly payload: Record<string, unknown>;
};

/** A span's events, so the receiver can count the spans (not the events) it could not take. */
export type MappedSpan = { readonly spanId: string; readonly traceId: string; readonly events: readonly MappedEvent[] };

// The attributes the mapping reads (the OpenTelemetry GenAI semantic conventions, and runledger's own).
export const RUN_ID_ATTRIBUTE = 'runledger.run_id';
export const THREAD_ID_ATTRIBUTE = 'runledger.thread_id';
const CONVERSATION_ID = 'gen_ai.conversation.id';
const AGENT_NAME = 'gen_ai.agent.name';
const OPERATION_NAME = 'gen_ai.operation.name';
const TOOL_NAME = 'gen_ai.tool.name';
const ERROR_TYPE = 'error.type';

/** GenAI usage attributes -> the contract's usage keys (run.completed `usage`). */
export const USAGE_ATTRIBUTES: Readonly<Record<string, string>> = {
  'gen_ai.usage.input_tokens': 'inputTokens',
  'gen_ai.usage.output_tokens': 'outputTokens',
  'gen_ai.usage.cache_read.input_tokens': 'cacheReadInputTokens',
  'gen_ai.usage.cache_creation.input_tokens': 'cacheCreationInputTokens',
  'gen_ai.usage.reasoning.output_tokens': 'reasoningOutputTokens',
};

// The contract's field limits (shared/contract/payloads.ts): values past them are cut, not refused,
// so a long span name never costs the span.
const MAX_NAME = 256;
const MAX_ERROR_MESSAGE = 8192;
const MAX_ERROR_TYPE = 256;
const MAX_STACK = 32768;
const MAX_TITLE = 1024;
const MAX_CUSTOM_NAME = 64;

/** Events of one span sort by time, then by phase: a start before what happened at the same instant, an end after. */
const PHASE_RANK = { start: 0, event: 1, end: 2 } as const;

/**
 * Maps the spans of one export to the contract's events (the table in docs/opentelemetry.md):
 * - one run per trace (`otel-<traceId>`) unless a span, its resource or another span of its trace
 *   in the export carries `runledger.run_id`; threadId from `runledger.thread_id` or
 *   `gen_ai.conversation.id` the same way;
 * - the root span (no parent) is the run: `run.started` at its start, `run.completed` or
 *   `run.failed` at its end; every other span is a task (taskId = span id);
 * - span events are `custom:otel.<name>` events.
 * Each span's events depend on that span alone (and the trace's run and thread ids), and their ids
 * on span id and phase, so the same span exported twice makes the same events: duplicates.
 * Events come back in the order they should be sequenced: by time, a span's start before its events
 * and its end.
 */
export function mapSpans(spans: readonly OtlpSpan[]): MappedSpan[] {
  const traceIds = traceLevelIds(spans);
  const mapped = spans.map((span) => {
    const trace = traceIds.get(span.traceId);
    const runId = stringAttribute(span.attributes, RUN_ID_ATTRIBUTE) ?? stringAttribute(span.resource, RUN_ID_ATTRIBUTE) ?? trace?.runId ?? `otel-${span.traceId}`;
    const threadId = threadIdOf(span.attributes) ?? threadIdOf(span.resource) ?? trace?.threadId;
    return { spanId: span.spanId, traceId: span.traceId, events: spanEvents(span, { runId, ...(threadId === undefined ? {} : { threadId }) }) };
  });
  return mapped;
}

/** Sort keys of a mapped event: when it happened and which phase of its span it is. */
export function sequenceOrder(a: MappedEvent, b: MappedEvent): number {
  return a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : phaseOf(a) - phaseOf(b);
}

function phaseOf(event: MappedEvent): number {
  if (event.eventId.endsWith(':start')) return PHASE_RANK.start;
  return event.eventId.endsWith(':end') ? PHASE_RANK.end : PHASE_RANK.event;
}

type Envelope = { readonly runId: string; readonly threadId?: string };

function spanEvents(span: OtlpSpan, envelope: Envelope): MappedEvent[] {
  const base = (phase: string, type: string, at: bigint, payload: Record<string, unknown>): MappedEvent => ({
    eventId: `otel:${span.spanId}:${phase}`,
    ...envelope,
    type,
    occurredAt: isoOf(at),
    payload,
  });
  const isRoot = span.parentSpanId === undefined;
  const failed = span.status.code === 'error';
  const details = spanDetails(span);
  const usage = usageOf(span.attributes);
  const events: MappedEvent[] = [];

  if (isRoot) {
    const title = truncated(stringAttribute(span.attributes, AGENT_NAME), MAX_TITLE);
    const outcome = { ...(title === undefined ? {} : { title }), ...(usage === undefined ? {} : { usage }), otel: details };
    events.push(base('start', 'run.started', span.startTimeUnixNano, { otel: { traceId: span.traceId, spanId: span.spanId, name: span.name } }));
    events.push(...span.events.map((event, index) => spanEvent(span, event, index, envelope, undefined)));
    events.push(base('end', failed ? 'run.failed' : 'run.completed', span.endTimeUnixNano, failed ? { error: errorOf(span), ...outcome } : outcome));
    return events;
  }

  const task = taskFieldsOf(span);
  events.push(base('start', 'task.started', span.startTimeUnixNano, { ...task, otel: { traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId } }));
  events.push(...span.events.map((event, index) => spanEvent(span, event, index, envelope, task.taskId)));
  const durationMs = Math.max(0, Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6);
  const end = { ...task, durationMs, ...(usage === undefined ? {} : { usage }), otel: details };
  events.push(base('end', failed ? 'task.failed' : 'task.completed', span.endTimeUnixNano, failed ? { ...end, error: errorOf(span) } : end));
  return events;
}

function taskFieldsOf(span: OtlpSpan): { taskId: string; name: string; stage?: string } {
  const stage = truncated(stringAttribute(span.attributes, OPERATION_NAME), MAX_NAME);
  const name = truncated(stringAttribute(span.attributes, TOOL_NAME) ?? span.name, MAX_NAME) ?? '';
  return { taskId: span.spanId, name, ...(stage === undefined ? {} : { stage }) };
}

/** What a span's end event keeps of it besides the mapped fields: everything, under `otel`. */
function spanDetails(span: OtlpSpan): Record<string, unknown> {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(span.parentSpanId === undefined ? {} : { parentSpanId: span.parentSpanId }),
    name: span.name,
    kind: span.kind,
    status: span.status,
    attributes: span.attributes,
    resource: span.resource,
    scope: span.scope,
  };
}

function spanEvent(span: OtlpSpan, event: OtlpSpanEvent, index: number, envelope: Envelope, taskId: string | undefined): MappedEvent {
  return {
    eventId: `otel:${span.spanId}:event:${index}`,
    ...envelope,
    type: `custom:${customNameOf(event.name)}`,
    occurredAt: isoOf(event.timeUnixNano === 0n ? span.endTimeUnixNano : event.timeUnixNano),
    payload: { spanId: span.spanId, ...(taskId === undefined ? {} : { taskId }), name: event.name, attributes: event.attributes },
  };
}

/** `otel.<event name>`, with characters custom types do not allow made `_` and the whole cut to 64. */
function customNameOf(eventName: string): string {
  const cleaned = eventName.replaceAll(/[^A-Za-z0-9._-]/g, '_');
  return `otel.${cleaned === '' ? 'event' : cleaned}`.slice(0, MAX_CUSTOM_NAME);
}

/**
 * A failed span's error: the status message, else the `exception` event's message; the type from
 * `error.type`, else the exception's type; the exception's stack trace.
 */
function errorOf(span: OtlpSpan): { message: string; type?: string; stack?: string } {
  const exception = span.events.find((event) => event.name === 'exception');
  const exceptionMessage = exception === undefined ? undefined : stringAttribute(exception.attributes, 'exception.message');
  const message = span.status.message ?? exceptionMessage ?? `span '${span.name}' ended with status error`;
  const type = stringAttribute(span.attributes, ERROR_TYPE) ?? (exception === undefined ? undefined : stringAttribute(exception.attributes, 'exception.type'));
  const stack = exception === undefined ? undefined : stringAttribute(exception.attributes, 'exception.stacktrace');
  return {
    message: truncated(message === '' ? `span '${span.name}' ended with status error` : message, MAX_ERROR_MESSAGE) ?? '',
    ...(type === undefined || type === '' ? {} : { type: truncated(type, MAX_ERROR_TYPE) }),
    ...(stack === undefined || stack === '' ? {} : { stack: truncated(stack, MAX_STACK) }),
  };
}

/** The span's own token counts in the contract's usage keys; undefined when it has none. */
function usageOf(attributes: Attributes): Record<string, number> | undefined {
  const usage: Record<string, number> = {};
  for (const [attribute, key] of Object.entries(USAGE_ATTRIBUTES)) {
    const value = attributes[attribute];
    const count = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
    if (count !== undefined && count >= 0 && Object.hasOwn(attributes, attribute)) usage[key] = count;
  }
  return Object.keys(usage).length === 0 ? undefined : usage;
}

/** Run and thread ids a span of each trace in the export carries: they apply to the trace's other spans too. */
function traceLevelIds(spans: readonly OtlpSpan[]): Map<string, { runId?: string; threadId?: string }> {
  const byTrace = new Map<string, { runId?: string; threadId?: string }>();
  for (const span of spans) {
    const known = byTrace.get(span.traceId) ?? {};
    const runId = known.runId ?? stringAttribute(span.attributes, RUN_ID_ATTRIBUTE);
    const threadId = known.threadId ?? threadIdOf(span.attributes);
    byTrace.set(span.traceId, { ...(runId === undefined ? {} : { runId }), ...(threadId === undefined ? {} : { threadId }) });
  }
  return byTrace;
}

/**
 * `runledger.thread_id`, else `gen_ai.conversation.id`. A conversation id outside the contract's id
 * charset is left out (it stays in the span's attributes): frameworks choose those ids, and one
 * would otherwise cost every span of the trace. An explicit `runledger.thread_id` is used as given.
 */
function threadIdOf(attributes: Attributes): string | undefined {
  const conversation = stringAttribute(attributes, CONVERSATION_ID);
  return stringAttribute(attributes, THREAD_ID_ATTRIBUTE) ?? (conversation !== undefined && isValidId(conversation) ? conversation : undefined);
}

function stringAttribute(attributes: Attributes, key: string): string | undefined {
  if (!Object.hasOwn(attributes, key)) return undefined;
  const value: AttributeValue | undefined = attributes[key];
  return typeof value === 'string' ? value : undefined;
}

function truncated(value: string | undefined, max: number): string | undefined {
  return value === undefined || value.length <= max ? value : value.slice(0, max);
}

/** Unix nanoseconds as RFC 3339 in UTC, to the millisecond (the contract's occurredAt). */
function isoOf(unixNano: bigint): string {
  return new Date(Number(unixNano / 1_000_000n)).toISOString();
}
