import * as z from 'zod/mini';
import { EventIdSchema, RunIdSchema, ThreadIdSchema } from './ids.ts';
import { MAX_CUSTOM_NAME_LENGTH } from './limits.ts';
import * as P from './payloads.ts';

const CUSTOM_TYPE_PATTERN = new RegExp(`^custom:[A-Za-z0-9._-]{1,${MAX_CUSTOM_NAME_LENGTH}}$`);

export const OccurredAtSchema = z.iso.datetime({
  offset: true,
  error: (issue) =>
    issue.input === undefined ? 'is required' : 'must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z',
});

export const SeqSchema = z.int({ error: 'must be a whole number >= 1' }).check(z.gte(1, { error: 'must be a whole number >= 1' }));

/** The fields every event shares, whatever its type. */
const EnvelopeFields = {
  eventId: EventIdSchema,
  runId: RunIdSchema,
  threadId: z.optional(ThreadIdSchema),
  occurredAt: OccurredAtSchema,
  seq: z.optional(SeqSchema),
};

function eventOf<T extends string, Payload extends z.ZodMiniType>(type: T, payload: Payload) {
  return z.strictObject({ ...EnvelopeFields, type: z.literal(type), payload });
}

/**
 * One schema per known type: the single source for validation, types and the OpenAPI document.
 * A payload is required where its type has a required field.
 */
export const KNOWN_EVENT_SCHEMAS = {
  'run.queued': eventOf('run.queued', z.optional(P.EmptyPayloadSchema)),
  'run.started': eventOf('run.started', z.optional(P.RunStartedPayloadSchema)),
  'run.progress': eventOf('run.progress', P.RunProgressPayloadSchema),
  'run.checkpoint': eventOf('run.checkpoint', P.RunCheckpointPayloadSchema),
  'run.heartbeat': eventOf('run.heartbeat', z.optional(P.EmptyPayloadSchema)),
  'run.completed': eventOf('run.completed', z.optional(P.RunCompletedPayloadSchema)),
  'run.failed': eventOf('run.failed', P.RunFailedPayloadSchema),
  'run.cancelled': eventOf('run.cancelled', z.optional(P.ReasonPayloadSchema)),
  'run.timed_out': eventOf('run.timed_out', z.optional(P.TimedOutPayloadSchema)),
  'task.queued': eventOf('task.queued', P.TaskPayloadSchema),
  'task.started': eventOf('task.started', P.TaskPayloadSchema),
  'task.retrying': eventOf('task.retrying', P.TaskRetryingPayloadSchema),
  'task.completed': eventOf('task.completed', P.TaskCompletedPayloadSchema),
  'task.failed': eventOf('task.failed', P.TaskFailedPayloadSchema),
  'task.cancelled': eventOf('task.cancelled', P.TaskCancelledPayloadSchema),
  'task.timed_out': eventOf('task.timed_out', P.TaskTimedOutPayloadSchema),
  token: eventOf('token', P.TokenPayloadSchema),
  step: eventOf('step', P.StepPayloadSchema),
  'message.human': eventOf('message.human', P.HumanMessagePayloadSchema),
  'thread.status_updated': eventOf('thread.status_updated', P.ThreadStatusPayloadSchema),
};

export type KnownEventType = keyof typeof KNOWN_EVENT_SCHEMAS;
export const KNOWN_EVENT_TYPES = Object.keys(KNOWN_EVENT_SCHEMAS) as [KnownEventType, ...KnownEventType[]];

export const CustomEventTypeSchema = z.templateLiteral(['custom:', z.string()]).check(
  z.refine((type) => CUSTOM_TYPE_PATTERN.test(type), {
    error: `custom types are 'custom:NAME' with NAME 1-${MAX_CUSTOM_NAME_LENGTH} characters of letters, digits, '.', '_' or '-'`,
  }),
);

export const EventTypeSchema = z.union([z.enum(KNOWN_EVENT_TYPES), CustomEventTypeSchema], {
  error: (issue) =>
    issue.input === undefined
      ? 'is required'
      : `must be one of ${KNOWN_EVENT_TYPES.join(', ')}, or custom:NAME`,
});
export type EventType = z.infer<typeof EventTypeSchema>;

export const CustomEventSchema = z.strictObject({
  ...EnvelopeFields,
  type: CustomEventTypeSchema,
  payload: z.optional(P.CustomPayloadSchema),
});

const S = KNOWN_EVENT_SCHEMAS;

/** A run lifecycle event as producers send it (runId filled in from the path where omitted). */
export const RunEventSchema = z.union([
  z.discriminatedUnion('type', [
    S['run.queued'], S['run.started'], S['run.progress'], S['run.checkpoint'], S['run.heartbeat'],
    S['run.completed'], S['run.failed'], S['run.cancelled'], S['run.timed_out'],
    S['task.queued'], S['task.started'], S['task.retrying'], S['task.completed'], S['task.failed'],
    S['task.cancelled'], S['task.timed_out'], S.token, S.step, S['message.human'], S['thread.status_updated'],
  ]),
  CustomEventSchema,
]);
export type RunEvent = z.infer<typeof RunEventSchema>;

/** An event as stored, listed and published: the envelope plus its seq and when we received it. */
export type StoredEvent = RunEvent & { seq: number; receivedAt: string };

const StoredFieldsSchema = z.looseObject({ seq: z.int().check(z.gte(1)), receivedAt: z.iso.datetime({ offset: true }) });

/** Parses a stored event read back from storage: the envelope rules plus seq and receivedAt. */
export function parseStoredEvent(value: unknown): StoredEvent {
  const { receivedAt, ...envelope } = StoredFieldsSchema.parse(value);
  const event = RunEventSchema.parse(envelope);
  return { ...event, seq: envelope.seq, receivedAt };
}

export function isKnownEventType(type: string): type is KnownEventType {
  return Object.hasOwn(KNOWN_EVENT_SCHEMAS, type);
}

export function isCustomEventType(type: string): type is `custom:${string}` {
  return CUSTOM_TYPE_PATTERN.test(type);
}
