import * as z from 'zod/mini';
import { ErrorBodySchema } from '../../../shared/contract/error-body.ts';
import { RunSummarySchema } from '../../../shared/run/run-summary.ts';
import { RUN_STATUSES } from '../../../shared/run/status.ts';
import { TaskViewSchema } from '../../../shared/run/task-view.ts';

/**
 * What the dashboard reads, parsed with the very zod schemas the API answers with (shared/), so a
 * contract change that breaks the app fails its type check. Stored events are read loosely: the
 * app shows any payload, and the full union of event schemas would triple the bundle.
 */
export { ErrorBodySchema, RunSummarySchema, TaskViewSchema, RUN_STATUSES };
export type RunSummary = z.infer<typeof RunSummarySchema>;
export type TaskView = z.infer<typeof TaskViewSchema>;

export const StoredEventSchema = z.looseObject({
  seq: z.int().check(z.gte(1)),
  eventId: z.string(),
  type: z.string(),
  occurredAt: z.string(),
  receivedAt: z.optional(z.string()),
  payload: z.optional(z.record(z.string(), z.unknown())),
});

export const EventPageSchema = z.object({ events: z.array(StoredEventSchema), nextAfterSeq: z.nullable(z.int()) });
export const RunListSchema = z.object({ runs: z.array(RunSummarySchema), nextCursor: z.nullable(z.string()) });
export const TaskListSchema = z.object({ tasks: z.array(TaskViewSchema) });
export const StatsSchema = z.object({ runs: z.record(z.string(), z.int()) });
export const ShareLinkSchema = z.object({ token: z.string(), expiresAt: z.string(), url: z.optional(z.string()) });
export const ConfigSchema = z.object({ apiUrl: z.string() });
