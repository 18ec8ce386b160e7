import * as z from 'zod/mini';

// Payload schemas are loose objects: unknown keys are kept (docs/contract.md: "unknown keys in it are kept").

/** A string of at most `max` characters (and at least `min`). */
const text = (max: number, min = 0) => z.string().check(...(min > 0 ? [z.minLength(min)] : []), z.maxLength(max));
const nonNegativeInt = z.int().check(z.gte(0));
const nonNegative = z.number().check(z.gte(0));
const positive = z.number().check(z.positive());

export const ErrorInfoSchema = z.looseObject({
  message: text(8192, 1),
  type: z.optional(text(256)),
  stack: z.optional(text(32768)),
});

/** Token counts by kind (inputTokens, outputTokens, totalTokens, ... any name the producer uses). */
export const UsageSchema = z.record(text(64, 1), nonNegative);

export const EmptyPayloadSchema = z.looseObject({});

export const RunProgressPayloadSchema = z.looseObject({
  progress: z.number().check(z.gte(0), z.lte(1)),
  message: z.optional(text(4096)),
  step: z.optional(text(256)),
});
export const RunCheckpointPayloadSchema = z.looseObject({
  name: text(256, 1),
  state: z.optional(z.unknown()),
});
export const RunCompletedPayloadSchema = z.looseObject({
  result: z.optional(z.unknown()),
  usage: z.optional(UsageSchema),
  title: z.optional(text(1024)),
});
export const RunFailedPayloadSchema = z.looseObject({ error: ErrorInfoSchema });
export const ReasonPayloadSchema = z.looseObject({ reason: z.optional(text(4096)) });
export const TimedOutPayloadSchema = z.looseObject({ timeoutSeconds: z.optional(positive) });
export const RunStartedPayloadSchema = z.looseObject({
  heartbeatTimeoutSeconds: z.optional(positive),
  maxDurationSeconds: z.optional(positive),
});

/** A task's id within its run (any producer's id: queue task id, pipeline item, phase name). */
export const TaskIdSchema = text(256, 1);

/** Every task payload names its task; the rest describes where and how it ran. */
export const TaskPayloadSchema = z.looseObject({
  taskId: TaskIdSchema,
  name: z.optional(text(256)),
  stage: z.optional(text(256)),
  workerId: z.optional(text(256)),
  attempt: z.optional(nonNegativeInt),
  durationMs: z.optional(nonNegative),
});
export const TaskRetryingPayloadSchema = z.extend(TaskPayloadSchema, {
  attempt: z.int().check(z.gte(1)),
  maxAttempts: z.optional(z.int().check(z.gte(1))),
  error: z.optional(ErrorInfoSchema),
});
export const TaskCompletedPayloadSchema = z.extend(TaskPayloadSchema, { result: z.optional(z.unknown()) });
export const TaskFailedPayloadSchema = z.extend(TaskPayloadSchema, { error: ErrorInfoSchema });
export const TaskCancelledPayloadSchema = z.extend(TaskPayloadSchema, { reason: z.optional(text(4096)) });
export const TaskTimedOutPayloadSchema = z.extend(TaskPayloadSchema, {
  timeoutSeconds: z.optional(positive),
});

export const TokenPayloadSchema = z.looseObject({ text: z.string(), index: z.optional(nonNegativeInt) });
export const StepPayloadSchema = z.looseObject({
  name: text(256, 1),
  durationMs: z.optional(nonNegative),
});
export const HumanMessagePayloadSchema = z.looseObject({ content: z.string() });
export const ThreadStatusPayloadSchema = z.looseObject({ status: text(256, 1) });
export const CustomPayloadSchema = z.record(z.string(), z.unknown());
