import { z } from 'zod';

// Payload schemas are loose objects: unknown keys are kept (docs/contract.md: "unknown keys in it are kept").

const nonNegativeInt = z.int().min(0);

export const ErrorInfoSchema = z.looseObject({
  message: z.string().min(1).max(8192),
  type: z.string().max(256).optional(),
  stack: z.string().max(32768).optional(),
});

/** Token counts by kind (inputTokens, outputTokens, totalTokens, ... any name the producer uses). */
export const UsageSchema = z.record(z.string().min(1).max(64), z.number().min(0));

export const EmptyPayloadSchema = z.looseObject({});

export const RunProgressPayloadSchema = z.looseObject({
  progress: z.number().min(0).max(1),
  message: z.string().max(4096).optional(),
  step: z.string().max(256).optional(),
});
export const RunCheckpointPayloadSchema = z.looseObject({
  name: z.string().min(1).max(256),
  state: z.unknown().optional(),
});
export const RunCompletedPayloadSchema = z.looseObject({
  result: z.unknown().optional(),
  usage: UsageSchema.optional(),
  title: z.string().max(1024).optional(),
});
export const RunFailedPayloadSchema = z.looseObject({ error: ErrorInfoSchema });
export const ReasonPayloadSchema = z.looseObject({ reason: z.string().max(4096).optional() });
export const TimedOutPayloadSchema = z.looseObject({ timeoutSeconds: z.number().positive().optional() });
export const RunStartedPayloadSchema = z.looseObject({
  heartbeatTimeoutSeconds: z.number().positive().optional(),
  maxDurationSeconds: z.number().positive().optional(),
});

/** A task's id within its run (any producer's id: queue task id, pipeline item, phase name). */
export const TaskIdSchema = z.string().min(1).max(256);

/** Every task payload names its task; the rest describes where and how it ran. */
export const TaskPayloadSchema = z.looseObject({
  taskId: TaskIdSchema,
  name: z.string().max(256).optional(),
  stage: z.string().max(256).optional(),
  workerId: z.string().max(256).optional(),
  attempt: nonNegativeInt.optional(),
  durationMs: z.number().min(0).optional(),
});
export const TaskRetryingPayloadSchema = TaskPayloadSchema.extend({
  attempt: z.int().min(1),
  maxAttempts: z.int().min(1).optional(),
  error: ErrorInfoSchema.optional(),
});
export const TaskCompletedPayloadSchema = TaskPayloadSchema.extend({ result: z.unknown().optional() });
export const TaskFailedPayloadSchema = TaskPayloadSchema.extend({ error: ErrorInfoSchema });
export const TaskCancelledPayloadSchema = TaskPayloadSchema.extend({ reason: z.string().max(4096).optional() });
export const TaskTimedOutPayloadSchema = TaskPayloadSchema.extend({
  timeoutSeconds: z.number().positive().optional(),
});

export const TokenPayloadSchema = z.looseObject({ text: z.string(), index: nonNegativeInt.optional() });
export const StepPayloadSchema = z.looseObject({
  name: z.string().min(1).max(256),
  durationMs: z.number().min(0).optional(),
});
export const HumanMessagePayloadSchema = z.looseObject({ content: z.string() });
export const ThreadStatusPayloadSchema = z.looseObject({ status: z.string().min(1).max(256) });
export const CustomPayloadSchema = z.record(z.string(), z.unknown());

