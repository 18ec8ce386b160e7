import * as z from 'zod/mini';
import { ErrorInfoSchema, UsageSchema } from '../contract/payloads.ts';
import { type RunState, eventCountOf, lastSeqOf, runStatusOf } from './run-state.ts';
import { missingSeqs } from './seq-ranges.ts';
import { RunStatusSchema, TASK_STATUSES, type TaskStatus } from './status.ts';

/** How many missing seqs a summary lists; a run with more holes than this is badly broken anyway. */
export const MAX_LISTED_MISSING_SEQS = 1000;

export const RunSummarySchema = z.object({
  runId: z.string(),
  threadId: z.nullable(z.string()),
  status: RunStatusSchema,
  sequencing: z.enum(['server', 'producer']),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.nullable(z.string()),
  endedAt: z.nullable(z.string()),
  durationMs: z.nullable(z.number()),
  lastSeq: z.int(),
  eventCount: z.int(),
  tasks: z.record(z.enum(TASK_STATUSES), z.int()),
  missingSeqs: z.array(z.int()),
  result: z.unknown(),
  error: z.nullable(ErrorInfoSchema),
  usage: z.nullable(UsageSchema),
  title: z.nullable(z.string()),
  lastEventAt: z.nullable(z.string()),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/** The public view of a run (docs/http-api.md, "A run's summary"). */
export function toRunSummary(state: RunState): RunSummary {
  const startedAt = state.started?.at ?? null;
  const endedAt = state.terminal?.at ?? null;
  return {
    runId: state.runId,
    threadId: state.threadId ?? null,
    status: runStatusOf(state),
    sequencing: state.mode,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    startedAt,
    endedAt,
    durationMs: startedAt !== null && endedAt !== null ? Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)) : null,
    lastSeq: lastSeqOf(state),
    eventCount: eventCountOf(state),
    tasks: countTasks(state),
    missingSeqs: missingSeqs(state.seqs, MAX_LISTED_MISSING_SEQS),
    result: state.result ?? null,
    error: state.error ?? null,
    usage: totalUsage(state),
    title: state.title ?? null,
    lastEventAt: state.last?.at ?? null,
  };
}

/**
 * The run's token usage: what its terminal event reported plus what each task reported (a task's
 * latest usage). A producer reports each token once: per task, or as the run's total, not both.
 */
function totalUsage(state: RunState): Record<string, number> | null {
  const parts = [state.usage, ...Object.values(state.tasks).map((task) => task.usage)].filter((usage) => usage !== undefined);
  if (parts.length === 0) return null;
  // A Map, then fromEntries: usage keys come from producers, and `__proto__` must stay a key.
  const total = new Map<string, number>();
  for (const usage of parts) for (const [key, count] of Object.entries(usage)) total.set(key, (total.get(key) ?? 0) + count);
  return Object.fromEntries(total);
}

function countTasks(state: RunState): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
  for (const task of Object.values(state.tasks)) counts[task.status] += 1;
  return counts;
}

/**
 * A run's place in its tenant's run list: updated-at to the minute, then runId. Minutes, not
 * milliseconds, so a busy run moves in the list index at most once a minute (each move is an index
 * write) instead of on every batch; within a minute, runs sort by id.
 */
export function runListKey(state: Pick<RunState, 'updatedAt' | 'runId'>): string {
  return `${state.updatedAt.slice(0, 16)}#${state.runId}`;
}
