import { createParser } from 'eventsource-parser';
import type { EventRow } from '../view/event-window.ts';

export type FollowOptions = {
  readonly url: (afterSeq: number) => string;
  readonly headers: Readonly<Record<string, string>>;
  /** Where to start: events after this seq. */
  readonly afterSeq: number;
  readonly onEvents: (events: readonly EventRow[]) => void;
  /** The stream ended because the run did (204, or closed after its terminal event). */
  readonly onEnd: () => void;
  /** The server refused the stream (401, 403, 404): following stops. */
  readonly onRefused: (status: number, body: unknown) => void;
  readonly onConnection?: (state: 'open' | 'retrying') => void;
  readonly parseEvent: (data: unknown) => EventRow | undefined;
  readonly fetch?: typeof fetch;
  readonly retryDelaysMs?: readonly number[];
};

/**
 * Follows `GET /v1/runs/{runId}/stream` with fetch: a browser EventSource cannot send
 * `Authorization`. On a dropped connection it reconnects with `Last-Event-ID` set to the last seq
 * it handed on, so the server resumes exactly after it; whatever a resumed stream repeats is
 * dropped again by seq in mergeEvents. Returns a function that stops following.
 */
export function followRun(options: FollowOptions): () => void {
  const stopped = new AbortController();
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const delays = options.retryDelaysMs ?? [500, 1000, 2000, 5000, 10_000];
  let lastSeq = options.afterSeq;

  const connect = async (attempt: number): Promise<void> => {
    if (stopped.signal.aborted) return;
    let response: Response;
    try {
      response = await doFetch(options.url(lastSeq), {
        headers: { ...options.headers, accept: 'text/event-stream', ...(lastSeq > 0 ? { 'last-event-id': String(lastSeq) } : {}) },
        signal: stopped.signal,
        cache: 'no-store',
      });
    } catch {
      return retry(attempt);
    }
    if (response.status === 204) return options.onEnd();
    if (response.status === 401 || response.status === 403 || response.status === 404) {
      return options.onRefused(response.status, await response.json().catch(() => undefined));
    }
    if (!response.ok || response.body === null) return retry(attempt);
    options.onConnection?.('open');
    const batch: EventRow[] = [];
    let flushScheduled = false;
    // Events of one chunk are handed on together: one render for a burst, not one per event.
    const flush = () => {
      flushScheduled = false;
      if (batch.length === 0) return;
      options.onEvents(batch.splice(0));
    };
    const parser = createParser({
      onEvent: (message) => {
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          return;
        }
        const event = options.parseEvent(data);
        if (event === undefined || event.seq <= lastSeq) return;
        lastSeq = event.seq;
        batch.push(event);
        if (!flushScheduled) {
          flushScheduled = true;
          queueMicrotask(flush);
        }
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch {
      flush();
      return retry(0);
    }
    flush();
    // The server closes a stream after the run's terminal event, or at its time limit: ask again;
    // a finished run answers 204.
    return connect(0);
  };

  const retry = async (attempt: number): Promise<void> => {
    if (stopped.signal.aborted) return;
    options.onConnection?.('retrying');
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
    await new Promise((resolve) => setTimeout(resolve, delay));
    return connect(attempt + 1);
  };

  void connect(0);
  return () => stopped.abort();
}
