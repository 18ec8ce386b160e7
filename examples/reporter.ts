/**
 * What the example agent reports through, and a stand-in that sends it.
 *
 * `AgentReporter` is the part of the TypeScript client's `RunReporter` (`client/run-reporter.ts`,
 * issue 6) that the example uses, with the same method names and arguments. Once that client is on
 * main, `new RunReporter({ baseUrl, apiKey, runId, threadId })` fits wherever an AgentReporter is
 * asked for and this file can go: `makeStandInReporter` below is a deliberately small sender (one
 * event a request, in order) so the example works before then.
 */
export type TaskDetails = { name?: string; stage?: string; workerId?: string; attempt?: number; durationMs?: number };

export interface AgentTask {
  queued(details?: TaskDetails): boolean;
  started(details?: TaskDetails): boolean;
  retrying(attempt: number, options?: { maxAttempts?: number; error?: unknown } & TaskDetails): boolean;
  completed(result?: unknown, details?: TaskDetails): boolean;
}

export interface AgentReporter {
  readonly runId: string;
  started(): boolean;
  progress(progress: number, message?: string, step?: string): boolean;
  step(name: string, durationMs?: number): boolean;
  token(text: string, index?: number): boolean;
  task(taskId: string, details?: TaskDetails): AgentTask;
  completed(result?: unknown, usage?: Record<string, number>, title?: string): boolean;
  /** Sends what is left and says what could not be delivered. */
  close(): Promise<{ sent: number; unsent: readonly { reason: string; message?: string }[] }>;
}

/** Transient failures (network, 429, 5xx) are sent again this many times with the same eventId. */
const RETRIES = 3;

/**
 * A minimal AgentReporter on `report(type, payload)`: producer-sequenced (it counts seq itself, so a
 * resend is a duplicate, never a second event), one POST per event, in order. After an event that
 * cannot be delivered it sends nothing more: later events would only leave the run with holes.
 */
export function makeStandInReporter(options: { baseUrl: string; apiKey: string; runId: string; threadId?: string }): AgentReporter {
  const { baseUrl, apiKey, runId, threadId } = options;
  let seq = 0;
  let sent = 0;
  const unsent: { reason: string; message: string }[] = [];
  let queue = Promise.resolve();

  const report = (type: string, payload?: Record<string, unknown>): boolean => {
    seq += 1;
    const event = { eventId: `${runId}:${seq}`, seq, type, occurredAt: new Date().toISOString(), ...(threadId === undefined ? {} : { threadId }), ...(payload === undefined ? {} : { payload }) };
    queue = queue.then(async () => {
      if (unsent.length > 0) {
        unsent.push({ reason: 'not-sent', message: `${type} not sent after an earlier failure` });
        return;
      }
      const failure = await post(`${baseUrl}/v1/runs/${encodeURIComponent(runId)}/events`, apiKey, event);
      if (failure === undefined) sent += 1;
      else unsent.push(failure);
    });
    return true;
  };
  const task = (taskId: string, base: TaskDetails = {}): AgentTask => {
    const send = (type: string, details: TaskDetails = {}, extra: Record<string, unknown> = {}) => report(type, { taskId, ...base, ...details, ...extra });
    return {
      queued: (details) => send('task.queued', details),
      started: (details) => send('task.started', details),
      retrying: (attempt, { maxAttempts, error, ...details } = {}) =>
        send('task.retrying', details, { attempt, ...(maxAttempts === undefined ? {} : { maxAttempts }), ...(error === undefined ? {} : { error: errorInfo(error) }) }),
      completed: (result, details) => send('task.completed', details, result === undefined ? {} : { result }),
    };
  };
  return {
    runId,
    started: () => report('run.started'),
    progress: (progress, message, step) => report('run.progress', { progress, ...(message === undefined ? {} : { message }), ...(step === undefined ? {} : { step }) }),
    step: (name, durationMs) => report('step', { name, ...(durationMs === undefined ? {} : { durationMs }) }),
    token: (text, index) => report('token', { text, ...(index === undefined ? {} : { index }) }),
    task,
    completed: (result, usage, title) =>
      report('run.completed', { ...(result === undefined ? {} : { result }), ...(usage === undefined ? {} : { usage }), ...(title === undefined ? {} : { title }) }),
    close: async () => {
      await queue;
      return { sent, unsent };
    },
  };
}

async function post(url: string, apiKey: string, event: object): Promise<{ reason: string; message: string } | undefined> {
  let last = { reason: 'network', message: '' };
  for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      if (response.status === 202) return undefined;
      last = { reason: `http-${response.status}`, message: text.slice(0, 300) };
      if (response.status !== 429 && response.status < 500) return last;
    } catch (error: unknown) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
      last = { reason: 'network', message: `${error instanceof Error ? error.message : String(error)}${cause === '' ? '' : ` (${cause})`}` };
    }
  }
  return last;
}

function errorInfo(error: unknown): { message: string; type?: string } {
  if (error instanceof Error) return { message: error.message, type: error.name };
  return { message: String(error) };
}
