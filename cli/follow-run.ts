import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { terminalStatusOf } from '#shared/run/status.ts';
import { RunSummarySchema, StoredEventSchema, type StoredEventView } from './answers.ts';
import { ApiError, UnreachableError, segment, type RunledgerClient } from './api-client.ts';

/** The server sends `: heartbeat` every 15 s; three missed in a row means the connection is dead. */
const IDLE_TIMEOUT_MS = 45_000;
/** Wait before reconnecting, until the server says otherwise (`retry:`); doubled after each failure in a row. */
const DEFAULT_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/** Connection attempts in a row that may fail (refused, 5xx, cut before any event) before giving up. */
const MAX_FAILED_ATTEMPTS = 8;

export type FollowOptions = {
  /** Start after this seq (`?afterSeq=`); default: from the first event. */
  readonly afterSeq?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Told each time the stream is opened again after a drop, with the seq it resumes after. */
  readonly onReconnect?: (afterSeq: number | undefined, reason: string) => void;
  readonly idleTimeoutMs?: number;
};

/**
 * A run's events from `GET /v1/runs/{runId}/stream`, each exactly once and in seq order, until the
 * run's terminal event. A dropped connection is opened again with `Last-Event-ID` set to the last
 * seq seen, so nothing is missed; anything the server sends again is skipped by seq.
 */
export async function* followRun(client: RunledgerClient, runId: string, options: FollowOptions = {}): AsyncGenerator<StoredEventView> {
  const path = `/v1/runs/${segment(runId)}/stream`;
  let lastSeq = options.afterSeq;
  let retryMs = DEFAULT_RETRY_MS;
  let failedAttempts = 0;
  for (let attempt = 0; ; attempt += 1) {
    if (isAborted(options.signal)) return;
    const connection = new AbortController();
    const stop = () => connection.abort();
    options.signal?.addEventListener('abort', stop, { once: true });
    let received = 0;
    let failure: string | undefined;
    try {
      const resume = lastSeq === undefined ? {} : attempt === 0 ? { query: { afterSeq: lastSeq } } : { headers: { 'last-event-id': String(lastSeq) } };
      const response = await client.openStream(path, resume.query ?? {}, resume.headers ?? {}, connection.signal);
      // 204: the run has ended and nothing is left after the seq we resume from.
      if (response.status === 204) return;
      for await (const message of messages(response, connection, options.idleTimeoutMs ?? IDLE_TIMEOUT_MS, (retry) => (retryMs = retry))) {
        const event = StoredEventSchema.parse(JSON.parse(message.data));
        if (lastSeq !== undefined && event.seq <= lastSeq) continue;
        lastSeq = event.seq;
        received += 1;
        yield event;
        if (terminalStatusOf(event.type) !== undefined) return;
      }
      // A clean end with nothing new: the run may have ended before the seq we resume after.
      if (received === 0 && (await isTerminal(client, runId))) return;
    } catch (error: unknown) {
      if (isAborted(options.signal)) return;
      if (!isTransient(error)) throw error;
      failure = error instanceof Error ? error.message : String(error);
    } finally {
      options.signal?.removeEventListener('abort', stop);
      connection.abort();
    }
    // A stream the server closed cleanly (its time limit) is no failure, however quiet the run is.
    failedAttempts = failure === undefined || received > 0 ? 0 : failedAttempts + 1;
    if (failedAttempts >= MAX_FAILED_ATTEMPTS) throw new UnreachableError(`gave up following run ${runId} after ${failedAttempts} failed connections: ${failure ?? ''}`);
    options.onReconnect?.(lastSeq, failure ?? 'the server closed the stream');
    await pause(Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.max(0, failedAttempts - 1)), options.signal);
  }
}

/** The stream's messages (comments such as heartbeats are dropped); aborts the connection when it goes quiet. */
async function* messages(response: Response, connection: AbortController, idleTimeoutMs: number, onRetry: (ms: number) => void): AsyncGenerator<EventSourceMessage> {
  if (response.body === null) return;
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => queue.push(message), onRetry });
  let idle = setTimeout(() => connection.abort(new IdleStreamError()), idleTimeoutMs);
  try {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value: text } = await reader.read();
      if (done) return;
      clearTimeout(idle);
      idle = setTimeout(() => connection.abort(new IdleStreamError()), idleTimeoutMs);
      parser.feed(text);
      yield* queue.splice(0);
    }
  } catch (error: unknown) {
    // fetch rejects with the abort reason; an idle stream is a dropped connection like any other.
    if (connection.signal.reason instanceof IdleStreamError) throw connection.signal.reason;
    throw error;
  } finally {
    clearTimeout(idle);
  }
}

class IdleStreamError extends Error {
  override readonly name = 'IdleStreamError';
  override readonly message = 'no data or heartbeat for a while';
}

/** Worth another connection: a refused or cut connection, a quiet stream, the server busy or failing. */
function isTransient(error: unknown): boolean {
  if (error instanceof ApiError) return error.status >= 500 || error.status === 429;
  if (error instanceof UnreachableError || error instanceof IdleStreamError) return true;
  // fetch reports a connection cut mid-body as a TypeError ("terminated") with the socket error as cause.
  return error instanceof TypeError;
}

async function isTerminal(client: RunledgerClient, runId: string): Promise<boolean> {
  const run = await client.get(`/v1/runs/${segment(runId)}`, RunSummarySchema);
  return ['completed', 'failed', 'cancelled', 'timed_out'].includes(run.status);
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
