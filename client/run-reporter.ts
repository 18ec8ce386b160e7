import type { RunEvent } from '#shared/contract/event.ts';
import { EventSender, type CloseReport, type SenderOptions } from './event-sender.ts';
import { randomId } from './random-id.ts';
import { unrefTimer } from './timers.ts';

/** Token counts by kind: inputTokens, outputTokens, or any name. */
export type Usage = Record<string, number>;
export type ErrorInfo = { message: string; type?: string; stack?: string };

export type RunReporterOptions = SenderOptions & {
  readonly runId: string;
  /** Groups runs: a conversation, a pipeline. */
  readonly threadId?: string;
  /** The seq of the first event this reporter sends: more than 1 only when continuing a run another reporter began. @default 1 */
  readonly firstSeq?: number;
  /** Send `run.heartbeat` this often from `started()` until the run ends or the reporter closes. @default off */
  readonly heartbeatIntervalMs?: number;
  /** Epoch ms for occurredAt. @default Date.now */
  readonly now?: () => number;
};

/** What a task event may say besides its id (docs/contract.md, task events). */
export type TaskDetails = { name?: string; stage?: string; workerId?: string; attempt?: number; durationMs?: number };

const TERMINAL_TYPES = new Set(['run.completed', 'run.failed', 'run.cancelled', 'run.timed_out']);

/**
 * Reports one run to runledger. Each call builds an event with a fresh eventId and the next seq
 * (producer-sequenced: the cheapest path on the server), so the run's order is the order of the
 * calls whatever the network does, and resending is always safe. Delivery is in the background
 * (see EventSender): calls return at once, true when the event was buffered, false when it was
 * not (the error callback says why). `close()` waits for delivery and lists what failed.
 */
export class RunReporter {
  readonly runId: string;
  readonly #threadId: string | undefined;
  readonly #sender: EventSender;
  readonly #now: () => number;
  readonly #heartbeatIntervalMs: number | undefined;
  #nextSeq: number;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #ended = false;

  constructor(options: RunReporterOptions) {
    this.runId = options.runId;
    this.#threadId = options.threadId;
    this.#sender = new EventSender(options);
    this.#now = options.now ?? Date.now;
    this.#nextSeq = options.firstSeq ?? 1;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs;
  }

  /** Requests made, events delivered, events not delivered, events buffered. */
  get stats(): EventSender['stats'] {
    return this.#sender.stats;
  }

  queued(): boolean {
    return this.#report({ type: 'run.queued' });
  }

  started(): boolean {
    const buffered = this.#report({ type: 'run.started' });
    this.#startHeartbeat();
    return buffered;
  }

  /** `progress` from 0 to 1. */
  progress(progress: number, message?: string, step?: string): boolean {
    return this.#report({ type: 'run.progress', payload: { progress, ...(message === undefined ? {} : { message }), ...(step === undefined ? {} : { step }) } });
  }

  checkpoint(name: string, state?: unknown): boolean {
    return this.#report({ type: 'run.checkpoint', payload: { name, ...(state === undefined ? {} : { state }) } });
  }

  heartbeat(): boolean {
    return this.#report({ type: 'run.heartbeat' });
  }

  token(text: string, index?: number): boolean {
    return this.#report({ type: 'token', payload: { text, ...(index === undefined ? {} : { index }) } });
  }

  step(name: string, durationMs?: number): boolean {
    return this.#report({ type: 'step', payload: { name, ...(durationMs === undefined ? {} : { durationMs }) } });
  }

  /** Events of one task of the run (a queue task, a pipeline item or stage, a phase). */
  task(taskId: string, details: TaskDetails = {}): TaskReporter {
    const report = (event: TaskEventDraft) => this.#report(event);
    return new TaskReporter(taskId, details, report);
  }

  completed(result?: unknown, usage?: Usage, title?: string): boolean {
    return this.#report({
      type: 'run.completed',
      payload: { ...(result === undefined ? {} : { result }), ...(usage === undefined ? {} : { usage }), ...(title === undefined ? {} : { title }) },
    });
  }

  failed(error: unknown): boolean {
    return this.#report({ type: 'run.failed', payload: { error: toErrorInfo(error) } });
  }

  cancelled(reason?: string): boolean {
    return this.#report({ type: 'run.cancelled', payload: reason === undefined ? {} : { reason } });
  }

  timedOut(timeoutSeconds?: number): boolean {
    return this.#report({ type: 'run.timed_out', payload: timeoutSeconds === undefined ? {} : { timeoutSeconds } });
  }

  /** `custom:NAME` (NAME 1-64 of letters, digits, '.', '_', '-') with any JSON object payload. */
  custom(name: string, payload: Record<string, unknown> = {}): boolean {
    return this.#report({ type: `custom:${name}`, payload });
  }

  /** Sends what is buffered now; resolves when each of those events is delivered or given up. */
  flush(): Promise<void> {
    return this.#sender.flush();
  }

  /** Stops the heartbeat, delivers what is buffered (within `deadlineMs` if given), and lists what was not delivered. */
  close(options: { deadlineMs?: number } = {}): Promise<CloseReport> {
    this.#stopHeartbeat();
    return this.#sender.close(options);
  }

  #report(draft: EventDraft): boolean {
    const terminal = TERMINAL_TYPES.has(draft.type);
    // The casts below meet RunEvent's per-type union: each public method builds its own type's payload.
    const base = { eventId: randomId(), runId: this.runId, occurredAt: new Date(this.#now()).toISOString(), ...(this.#threadId === undefined ? {} : { threadId: this.#threadId }) };
    // Reject-new happens before a seq is taken, so a dropped event leaves no gap in the run.
    if (!terminal && !this.#sender.hasRoom) return this.#sender.enqueue({ ...base, ...draft } as RunEvent);
    const event = { ...base, ...draft, seq: this.#nextSeq } as RunEvent;
    const buffered = this.#sender.enqueue(event, { force: terminal });
    if (buffered) this.#nextSeq += 1;
    if (terminal) {
      this.#ended = true;
      this.#stopHeartbeat();
      void this.#sender.flush();
    }
    return buffered;
  }

  #startHeartbeat(): void {
    if (this.#heartbeatIntervalMs === undefined || this.#heartbeat !== undefined || this.#ended) return;
    this.#heartbeat = setInterval(() => this.heartbeat(), this.#heartbeatIntervalMs);
    unrefTimer(this.#heartbeat);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}

type EventDraft = { type: RunEvent['type']; payload?: Record<string, unknown> };
type TaskEventDraft = { type: `task.${'queued' | 'started' | 'retrying' | 'completed' | 'failed' | 'cancelled' | 'timed_out'}`; payload: Record<string, unknown> };

/** The events of one task; each call may add or override details (attempt, durationMs...). */
export class TaskReporter {
  readonly taskId: string;
  readonly #details: TaskDetails;
  readonly #report: (event: TaskEventDraft) => boolean;

  constructor(taskId: string, details: TaskDetails, report: (event: TaskEventDraft) => boolean) {
    this.taskId = taskId;
    this.#details = details;
    this.#report = report;
  }

  queued(details: TaskDetails = {}): boolean {
    return this.#send('task.queued', details);
  }

  started(details: TaskDetails = {}): boolean {
    return this.#send('task.started', details);
  }

  /** The task will run again: `attempt` is the attempt about to start (>= 1). */
  retrying(attempt: number, options: { maxAttempts?: number; error?: unknown } & TaskDetails = {}): boolean {
    const { maxAttempts, error, ...details } = options;
    return this.#send('task.retrying', { ...details, attempt }, { ...(maxAttempts === undefined ? {} : { maxAttempts }), ...(error === undefined ? {} : { error: toErrorInfo(error) }) });
  }

  completed(result?: unknown, details: TaskDetails = {}): boolean {
    return this.#send('task.completed', details, result === undefined ? {} : { result });
  }

  failed(error: unknown, details: TaskDetails = {}): boolean {
    return this.#send('task.failed', details, { error: toErrorInfo(error) });
  }

  cancelled(reason?: string, details: TaskDetails = {}): boolean {
    return this.#send('task.cancelled', details, reason === undefined ? {} : { reason });
  }

  timedOut(timeoutSeconds?: number, details: TaskDetails = {}): boolean {
    return this.#send('task.timed_out', details, timeoutSeconds === undefined ? {} : { timeoutSeconds });
  }

  #send(type: TaskEventDraft['type'], details: TaskDetails, extra: Record<string, unknown> = {}): boolean {
    return this.#report({ type, payload: { taskId: this.taskId, ...this.#details, ...details, ...extra } });
  }
}

/** An Error (or anything thrown) as the contract's error info, cut to its limits so the event is never rejected for length. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    return { message: (error.message || error.name || 'Error').slice(0, 8192), type: error.name.slice(0, 256), ...(error.stack === undefined ? {} : { stack: error.stack.slice(0, 32768) }) };
  }
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' && error.message !== '') {
    return { message: error.message.slice(0, 8192) };
  }
  const text = typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  return { message: (text === '' ? 'unknown error' : text).slice(0, 8192) };
}
