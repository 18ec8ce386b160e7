import type { RunEvent } from '#shared/contract/event.ts';
import type { FieldError } from '#shared/contract/issues.ts';
import { MAX_EVENT_BYTES, MAX_EVENTS_PER_REQUEST, MAX_REQUEST_BYTES } from '#shared/contract/limits.ts';
import type { ErrorBody } from '#shared/contract/error-body.ts';
import type { IngestResult } from '#shared/ingest/ingest-result.ts';
import { readAnswer, type AnswerVerdict } from './answer.ts';
import { retryDelay, type BackoffPolicy } from './backoff.ts';
import { resolveClientConnection } from './client-env.ts';
import { unrefTimer } from './timers.ts';

/** Why an event was not delivered. `deadline` and `gave-up` events may still have been stored: resending them (same eventId and seq) is safe. */
export type UnsentReason = 'buffer-full' | 'closed' | 'too-large' | 'rejected' | 'conflict' | 'refused' | 'gave-up' | 'deadline';

export type UnsentEvent = { readonly event: RunEvent; readonly reason: UnsentReason; readonly detail: string };

/** What the error callback hears: one event (or a request's events) that will not be delivered, and why. */
export type DeliveryProblem = UnsentEvent & {
  /** The server's field errors, for `rejected`. */
  readonly errors?: readonly FieldError[];
  /** The HTTP status and contract error, for `refused`. */
  readonly status?: number;
  readonly error?: ErrorBody['error'];
};

export type CloseReport = {
  /** Events the server answered `accepted` or `duplicate` for, over the sender's life. */
  readonly sent: number;
  /** Every event reported but not delivered, each with its reason, in report order. */
  readonly unsent: readonly UnsentEvent[];
};

export type SenderOptions = {
  /** The API's base URL, e.g. `http://127.0.0.1:3000` or the stack's ApiUrl. @default $RUNLEDGER_URL, else http://127.0.0.1:3000 */
  readonly baseUrl?: string;
  /** @default $RUNLEDGER_API_KEY where there is an environment (Node, Bun, Deno); without either, the constructor throws MissingApiKeyError */
  readonly apiKey?: string;
  /** Called for every event that will not be delivered. @default ignore (close() still lists them) */
  readonly onError?: (problem: DeliveryProblem) => void;
  /** Events per request, 1-100. @default 100 */
  readonly maxBatchSize?: number;
  /** Send what is buffered this long after the first unsent event at the latest. @default 200 */
  readonly flushIntervalMs?: number;
  /**
   * Events held (waiting or in flight) at most. Past it, policy "reject-new": a new event is not
   * buffered and goes to onError as `buffer-full` (and gets no seq, so the run shows no gap); what
   * is already buffered is never dropped. Terminal run events (completed, failed, cancelled, timed
   * out) are always buffered so a run's outcome is not lost to back-pressure. @default 10000
   */
  readonly maxBufferedEvents?: number;
  /** Requests in flight at once. @default 2 */
  readonly concurrency?: number;
  /** Attempts per request before its events are given up (`gave-up`). @default 10 */
  readonly maxAttempts?: number;
  /** @default { baseDelayMs: 200, maxDelayMs: 30000 } */
  readonly backoff?: BackoffPolicy;
  /** A request not answered by then is abandoned and retried. @default 10000 */
  readonly requestTimeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Waits ms, or less when the signal aborts. @default a timer */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** [0, 1), for jitter. @default Math.random */
  readonly random?: () => number;
  /** Epoch ms, for Retry-After dates. @default Date.now */
  readonly now?: () => number;
};

type Queued = { readonly event: RunEvent; readonly ordinal: number; readonly bytes: number };

const UTF8 = new TextEncoder();

/** Room for `{"events":[...]}` and commas around the events of one request. */
const BATCH_OVERHEAD_BYTES = 1024;

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

/**
 * Delivers events to `POST /v1/events`: buffers them, sends them in batches (on size, on a short
 * interval, on flush and close), retries whole batches on network errors, 408, 429 (after its
 * Retry-After) and 5xx with exponential backoff and full jitter, and never retries another 4xx.
 * Retrying is safe because every event keeps its eventId and seq: what was stored answers
 * `duplicate`, which counts as delivered.
 */
export class EventSender {
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #onError: (problem: DeliveryProblem) => void;
  readonly #maxBatchSize: number;
  readonly #flushIntervalMs: number;
  readonly #maxBuffered: number;
  readonly #concurrency: number;
  readonly #maxAttempts: number;
  readonly #backoff: BackoffPolicy;
  readonly #requestTimeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;

  #queue: Queued[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #inFlightEvents = 0;
  readonly #unsettled = new Set<number>();
  #waiters: Array<() => void> = [];
  #nextOrdinal = 0;
  #due = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #abort = new AbortController();
  #sent = 0;
  readonly #unsent: Array<UnsentEvent & { ordinal: number }> = [];
  #requests = 0;

  constructor(options: SenderOptions) {
    const { baseUrl, apiKey } = resolveClientConnection(options);
    this.#url = `${baseUrl.replace(/\/+$/, '')}/v1/events`;
    this.#headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    this.#onError = options.onError ?? (() => undefined);
    this.#maxBatchSize = checkedInt('maxBatchSize', options.maxBatchSize ?? MAX_EVENTS_PER_REQUEST, 1, MAX_EVENTS_PER_REQUEST);
    this.#flushIntervalMs = checkedInt('flushIntervalMs', options.flushIntervalMs ?? 200, 0, 3_600_000);
    this.#maxBuffered = checkedInt('maxBufferedEvents', options.maxBufferedEvents ?? 10_000, 1, Number.MAX_SAFE_INTEGER);
    this.#concurrency = checkedInt('concurrency', options.concurrency ?? 2, 1, 64);
    this.#maxAttempts = checkedInt('maxAttempts', options.maxAttempts ?? 10, 1, Number.MAX_SAFE_INTEGER);
    this.#backoff = options.backoff ?? { baseDelayMs: 200, maxDelayMs: 30_000 };
    this.#requestTimeoutMs = checkedInt('requestTimeoutMs', options.requestTimeoutMs ?? 10_000, 1, 3_600_000);
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** Events waiting or in flight. */
  get buffered(): number {
    return this.#queue.length + this.#inFlightEvents;
  }

  /** Whether the buffer has room for one more event under the reject-new policy. */
  get hasRoom(): boolean {
    return this.buffered < this.#maxBuffered;
  }

  get stats(): { requests: number; sent: number; unsent: number; buffered: number } {
    return { requests: this.#requests, sent: this.#sent, unsent: this.#unsent.length, buffered: this.buffered };
  }

  /**
   * Buffers an event for delivery; false when it was not buffered (closed, too large, or the buffer
   * is full and `force` is not set), in which case onError has heard of it.
   */
  enqueue(event: RunEvent, { force = false }: { force?: boolean } = {}): boolean {
    const ordinal = this.#nextOrdinal++;
    if (this.#closed) return this.#drop({ event, ordinal }, 'closed', 'the reporter is closed');
    if (!force && !this.hasRoom) return this.#drop({ event, ordinal }, 'buffer-full', `${this.#maxBuffered} events are already buffered (maxBufferedEvents)`);
    const bytes = UTF8.encode(JSON.stringify(event)).byteLength;
    if (bytes > MAX_EVENT_BYTES) return this.#drop({ event, ordinal }, 'too-large', `${bytes} bytes serialized; an event may be at most ${MAX_EVENT_BYTES}`);
    this.#queue.push({ event, ordinal, bytes });
    this.#unsettled.add(ordinal);
    if (this.#queue.length >= this.#maxBatchSize) this.#pump();
    else this.#armTimer();
    return true;
  }

  /** Sends what is buffered now and resolves once each of those events is delivered or given up. */
  async flush(): Promise<void> {
    const mark = this.#nextOrdinal;
    this.#due = true;
    this.#pump();
    while ([...this.#unsettled].some((ordinal) => ordinal < mark)) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Stops taking events, sends everything buffered, and reports what could not be delivered. With
   * `deadlineMs`, requests and backoff waits still running then are abandoned and their events
   * listed as `deadline` (they may have been stored: resending them is safe).
   */
  async close({ deadlineMs }: { deadlineMs?: number } = {}): Promise<CloseReport> {
    this.#closed = true;
    const flushed = this.flush();
    if (deadlineMs === undefined) await flushed;
    else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
      await Promise.race([flushed, deadline]);
      clearTimeout(timer);
      this.#abort.abort();
      for (const queued of this.#queue.splice(0)) this.#settle(queued, 'deadline', `not sent within the ${deadlineMs} ms close deadline`);
      await Promise.all(this.#inFlight);
    }
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    return { sent: this.#sent, unsent: [...this.#unsent].sort((a, b) => a.ordinal - b.ordinal).map(({ ordinal: _ordinal, ...unsent }) => unsent) };
  }

  #armTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#due = true;
      this.#pump();
    }, this.#flushIntervalMs);
    // A pending flush alone must not keep a process alive; close() is how to wait for delivery.
    unrefTimer(this.#timer);
  }

  /** Starts as many batches as concurrency allows: full ones always, partial ones once due. */
  #pump(): void {
    while (this.#inFlight.size < this.#concurrency && this.#queue.length > 0 && !this.#abort.signal.aborted) {
      if (!this.#due && this.#queue.length < this.#maxBatchSize) break;
      const batch = this.#takeBatch();
      this.#inFlightEvents += batch.length;
      const sending = this.#deliver(batch).finally(() => {
        this.#inFlight.delete(sending);
        this.#inFlightEvents -= batch.length;
        this.#pump();
      });
      this.#inFlight.add(sending);
    }
    if (this.#queue.length === 0) this.#due = false;
    else if (!this.#due) this.#armTimer();
  }

  #takeBatch(): Queued[] {
    let bytes = BATCH_OVERHEAD_BYTES;
    let count = 0;
    for (const queued of this.#queue) {
      if (count === this.#maxBatchSize || (count > 0 && bytes + queued.bytes + 1 > MAX_REQUEST_BYTES)) break;
      bytes += queued.bytes + 1;
      count += 1;
    }
    return this.#queue.splice(0, count);
  }

  /** One batch until it is judged, refused, given up, or abandoned at the close deadline. */
  async #deliver(batch: Queued[]): Promise<void> {
    const body = JSON.stringify({ events: batch.map(({ event }) => event) });
    for (let attempt = 1; ; attempt++) {
      const verdict = await this.#post(body);
      if (verdict.kind === 'judged') return this.#judge(batch, verdict.results);
      if (verdict.kind === 'refused') {
        const detail = `HTTP ${verdict.status}${verdict.error === undefined ? '' : ` ${verdict.error.code}: ${verdict.error.message}`}`;
        for (const queued of batch) this.#settle(queued, 'refused', detail, { status: verdict.status, ...(verdict.error === undefined ? {} : { error: verdict.error }) });
        return;
      }
      if (this.#abort.signal.aborted) return this.#settleAll(batch, 'deadline', `abandoned at the close deadline (last try: ${verdict.reason})`);
      if (attempt >= this.#maxAttempts) return this.#settleAll(batch, 'gave-up', `${attempt} attempts; the last: ${verdict.reason}`);
      await this.#sleep(retryDelay(attempt - 1, verdict.retryAfterMs, this.#backoff, this.#random), this.#abort.signal);
      if (this.#abort.signal.aborted) return this.#settleAll(batch, 'deadline', `abandoned at the close deadline (last try: ${verdict.reason})`);
    }
  }

  async #post(body: string): Promise<AnswerVerdict> {
    this.#requests += 1;
    try {
      const response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: this.#headers,
        body,
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#requestTimeoutMs)]),
      });
      const text = await response.text();
      return readAnswer(response.status, response.headers, parseJson(text), this.#now());
    } catch (error: unknown) {
      return { kind: 'retry', reason: error instanceof Error ? `${error.name}: ${error.message}` : 'network error' };
    }
  }

  #judge(batch: readonly Queued[], results: readonly IngestResult[]): void {
    // Results come in request order; matching by eventId as well guards against an answer that is not.
    const byEventId = new Map(results.map((result) => [result.eventId, result]));
    for (const [index, queued] of batch.entries()) {
      const result = results[index]?.eventId === queued.event.eventId ? results[index] : byEventId.get(queued.event.eventId);
      if (result === undefined) this.#settle(queued, 'refused', 'the answer has no result for this event');
      else if (result.status === 'accepted' || result.status === 'duplicate') this.#settle(queued);
      else if (result.status === 'rejected') {
        this.#settle(queued, 'rejected', result.errors.map((error) => `${error.path} ${error.message}`).join('; '), { errors: result.errors });
      } else if (result.status === 'conflict') this.#settle(queued, 'conflict', result.message);
    }
  }

  #settleAll(batch: readonly Queued[], reason: UnsentReason, detail: string): void {
    for (const queued of batch) this.#settle(queued, reason, detail);
  }

  /** Marks an event done: delivered when no reason is given, otherwise unsent and reported. */
  #settle(queued: { event: RunEvent; ordinal: number }, reason?: UnsentReason, detail = '', extra: Partial<DeliveryProblem> = {}): void {
    this.#unsettled.delete(queued.ordinal);
    if (reason === undefined) this.#sent += 1;
    else {
      this.#unsent.push({ event: queued.event, reason, detail, ordinal: queued.ordinal });
      this.#report({ ...extra, event: queued.event, reason, detail });
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #drop(queued: { event: RunEvent; ordinal: number }, reason: UnsentReason, detail: string): false {
    this.#settle(queued, reason, detail);
    return false;
  }

  /** A throwing callback must not break delivery of the other events. */
  #report(problem: DeliveryProblem): void {
    try {
      this.#onError(problem);
    } catch {
      // The callback is the user's; its failure is theirs to log.
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function checkedInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max} (got ${value})`);
  return value;
}
