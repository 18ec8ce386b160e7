import * as z from 'zod/mini';
import type { StoredEvent } from '../contract/event.ts';
import { ErrorInfoSchema, UsageSchema } from '../contract/payloads.ts';
import { ClaimSchema } from './claims.ts';
import { addSeq, countSeqs, maxSeq } from './seq-ranges.ts';
import { RunStatusSchema, TaskStatusSchema, isActivity, taskStatusOf, terminalStatusOf, type RunStatus } from './status.ts';

export const SequencingModeSchema = z.enum(['server', 'producer']);
export type SequencingMode = z.infer<typeof SequencingModeSchema>;

const SeqMarkSchema = z.object({ seq: z.int(), at: z.string() });

export const TaskStateSchema = z.object({
  status: TaskStatusSchema,
  statusSeq: z.int(),
  name: z.optional(z.string()),
  attempt: z.optional(z.int()),
  firstAt: z.string(),
  lastAt: z.string(),
  /** Token counts the task's latest event carrying `usage` gave (OTLP spans do); the run's usage adds them up. */
  usage: z.optional(UsageSchema),
  usageSeq: z.optional(z.int()),
});
export type TaskState = z.infer<typeof TaskStateSchema>;

/**
 * Everything the store keeps about a run besides its events. Every field is a pure function of
 * the set of events held (not of the order they arrived in), which is what lets producer-sequenced
 * runs receive events out of order and still converge on the same summary.
 */
export const RunStateSchema = z.object({
  runId: z.string(),
  threadId: z.optional(z.string()),
  mode: SequencingModeSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The seqs held, as merged ranges. */
  seqs: z.array(z.tuple([z.int(), z.int()])),
  /**
   * Producer-sequenced seqs claimed by a write in progress, with a prefix of the claiming event's
   * hash: [seq, hash]. Not yet held (not counted, listed as missing) until the write confirms them.
   */
  reserved: z._default(z.array(z.tuple([z.int(), z.string()])), []),
  /**
   * Server-sequenced: the one write in progress (shared/run/claims.ts). Its seqs follow the dense
   * confirmed prefix; they are not held (not counted, not visible) until the writer confirms them.
   */
  claim: z.optional(ClaimSchema),
  queuedAt: z.optional(SeqMarkSchema),
  /**
   * When the run started: its lowest-seq `run.started` if it has one (`explicit`), else its
   * lowest-seq activity event. A run.started sequenced after task events (spans arrive when they end,
   * so the root span of a trace comes after its children) still gives the run its start.
   */
  started: z.optional(z.extend(SeqMarkSchema, { explicit: z.optional(z.boolean()) })),
  /** The lowest-seq terminal event: it wins, and later ones change nothing. */
  terminal: z.optional(z.extend(SeqMarkSchema, { status: RunStatusSchema })),
  /** The highest-seq event: what the run did last. */
  last: z.optional(SeqMarkSchema),
  result: z.optional(z.unknown()),
  error: z.optional(ErrorInfoSchema),
  usage: z.optional(UsageSchema),
  title: z.optional(z.string()),
  /** Per-run settings a producer may give in its run.started payload. */
  heartbeatTimeoutSeconds: z.optional(z.number()),
  maxDurationSeconds: z.optional(z.number()),
  tasks: z.record(z.string(), TaskStateSchema),
});
export type RunState = z.infer<typeof RunStateSchema>;

export function newRunState(runId: string, mode: SequencingMode, now: string): RunState {
  return { runId, mode, createdAt: now, updatedAt: now, seqs: [], reserved: [], tasks: {} };
}

export function runStatusOf(state: RunState): RunStatus {
  if (state.terminal !== undefined) return state.terminal.status;
  return state.started !== undefined ? 'running' : 'queued';
}

export function lastSeqOf(state: RunState): number {
  return maxSeq(state.seqs);
}

export function eventCountOf(state: RunState): number {
  return countSeqs(state.seqs);
}

/** Folds events into the run state. Order-independent; events whose seq the state already holds are ignored. */
export function foldEvents(state: RunState, events: readonly StoredEvent[], now: string): RunState {
  let next: RunState = { ...state, tasks: { ...state.tasks }, updatedAt: now };
  for (const event of events) {
    if (next.seqs.some(([start, end]) => event.seq >= start && event.seq <= end)) continue;
    next = foldOne(next, event);
  }
  return next;
}

function isEarlier(mark: { seq: number } | undefined, seq: number): boolean {
  return mark === undefined || seq < mark.seq;
}

function foldOne(state: RunState, event: StoredEvent): RunState {
  const mark = { seq: event.seq, at: event.occurredAt };
  const next: RunState = { ...state, seqs: addSeq(state.seqs, event.seq) };
  if (next.threadId === undefined && event.threadId !== undefined) next.threadId = event.threadId;
  if (state.last === undefined || event.seq > state.last.seq) next.last = mark;

  if (event.type === 'run.queued' && isEarlier(state.queuedAt, event.seq)) next.queuedAt = mark;
  if (event.type === 'run.started' && (state.started?.explicit !== true || event.seq < state.started.seq)) next.started = { ...mark, explicit: true };
  else if (isActivity(event.type) && state.started?.explicit !== true && isEarlier(state.started, event.seq)) next.started = mark;
  if (event.type === 'run.started' && event.payload !== undefined) {
    next.heartbeatTimeoutSeconds = event.payload.heartbeatTimeoutSeconds ?? next.heartbeatTimeoutSeconds;
    next.maxDurationSeconds = event.payload.maxDurationSeconds ?? next.maxDurationSeconds;
  }

  const terminal = terminalStatusOf(event.type);
  if (terminal !== undefined && isEarlier(state.terminal, event.seq)) {
    next.terminal = { ...mark, status: terminal };
    Object.assign(next, terminalDetails(event));
  }

  const taskStatus = taskStatusOf(event.type);
  if (taskStatus !== undefined) foldTask(next, event, taskStatus);
  return next;
}

/** What the winning terminal event says about the outcome; fields it does not carry are cleared. */
function terminalDetails(event: StoredEvent): Pick<RunState, 'result' | 'error' | 'usage' | 'title'> {
  switch (event.type) {
    case 'run.completed':
      return { result: event.payload?.result, usage: event.payload?.usage, title: event.payload?.title, error: undefined };
    case 'run.failed':
      // A failed run may still name itself and count what it spent (an OTLP root span does both).
      return { error: event.payload.error, result: undefined, usage: usageIn(event.payload), title: titleIn(event.payload) };
    default:
      return { result: undefined, error: undefined, usage: undefined, title: undefined };
  }
}

function usageIn(payload: Record<string, unknown>): RunState['usage'] {
  const parsed = UsageSchema.safeParse(payload.usage);
  return parsed.success ? parsed.data : undefined;
}

function titleIn(payload: Record<string, unknown>): string | undefined {
  return typeof payload.title === 'string' ? payload.title : undefined;
}

function foldTask(state: RunState, event: StoredEvent, status: z.infer<typeof TaskStatusSchema>): void {
  const payload = taskPayloadOf(event);
  if (payload === undefined) return;
  const previous = state.tasks[payload.taskId];
  const wins = previous === undefined || event.seq > previous.statusSeq;
  const usage = usageIn(payload);
  const usageWins = usage !== undefined && (previous?.usageSeq === undefined || event.seq > previous.usageSeq);
  state.tasks[payload.taskId] = {
    ...(usageWins ? { usage, usageSeq: event.seq } : previous?.usage === undefined ? {} : { usage: previous.usage, usageSeq: previous.usageSeq }),
    status: wins ? status : (previous?.status ?? status),
    statusSeq: wins ? event.seq : (previous?.statusSeq ?? event.seq),
    name: payload.name ?? previous?.name,
    attempt: wins ? (payload.attempt ?? previous?.attempt) : (previous?.attempt ?? payload.attempt),
    firstAt: previous === undefined || event.occurredAt < previous.firstAt ? event.occurredAt : previous.firstAt,
    lastAt: previous === undefined || event.occurredAt > previous.lastAt ? event.occurredAt : previous.lastAt,
  };
}

/** The task a task event is about; undefined for every other event. */
export function taskIdOf(event: StoredEvent): string | undefined {
  return taskPayloadOf(event)?.taskId;
}

function taskPayloadOf(event: StoredEvent): ({ taskId: string; name?: string; attempt?: number } & Record<string, unknown>) | undefined {
  switch (event.type) {
    case 'task.queued':
    case 'task.started':
    case 'task.retrying':
    case 'task.completed':
    case 'task.failed':
    case 'task.cancelled':
    case 'task.timed_out':
      return event.payload;
    default:
      return undefined;
  }
}
