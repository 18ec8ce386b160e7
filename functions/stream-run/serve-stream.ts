import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InvalidRequestError } from '#shared/errors.ts';
import type { Clock, EventStore } from '#shared/ports.ts';
import { parseQuery, ResumeSeqSchema, StreamQuerySchema } from '#shared/query/query-params.ts';
import { makeFollowRun, type FollowSettings } from '#shared/stream/follow-run.ts';
import { retryFrame, SSE_HEADERS } from '#shared/stream/sse.ts';
import { StreamCapReachedError, type StreamSlot, type StreamSlots } from '#shared/stream/stream-slots.ts';
import { corsHeadersFor } from '../http/cors.ts';
import { header } from '../http/header.ts';
import { errorResult } from '../http/http-errors.ts';
import type { ResponseSink } from '../http/response-sink.ts';
import { runOf } from '../http/run-route.ts';

/** How long an EventSource waits before reconnecting once a stream closes before the run ends. */
const RECONNECT_MS = 1000;

/**
 * A stream turned away at the cap comes back after this long: streams end (runs finish, clients
 * leave) within seconds to minutes, and each retry costs an invocation, a write and a read.
 */
export const STREAM_RETRY_AFTER_SECONDS = 10;

/** A lease outlives its stream by this much: a holder that dies frees its slot this long after its stream would have ended. */
const LEASE_MARGIN_MS = 60_000;

/**
 * `GET /v1/runs/{runId}/stream`: the run's events as Server-Sent Events, after `Last-Event-ID`
 * (what a reconnecting EventSource sends) or else `?afterSeq=`. Errors before the stream opens get
 * the contract's JSON error; a run that ended and was read to its end answers 204, which tells an
 * EventSource to stop reconnecting.
 */
export function makeServeStream({
  store,
  clock,
  logger,
  settings,
  corsOrigins = [],
  cap,
}: {
  store: EventStore;
  clock: Clock;
  logger: Logger;
  settings: FollowSettings;
  /** Browser origins whose pages may read the stream (functions/http/cors.ts). */
  corsOrigins?: readonly string[];
  /** At most `max` streams open at once over every process sharing `slots`; none when undefined. */
  cap?: { slots: StreamSlots; max: number };
}) {
  const followRun = makeFollowRun({ store, clock });
  return async function serveStream(event: APIGatewayProxyEvent, sink: ResponseSink, options: { deadlineMs?: number } = {}): Promise<void> {
    const cors = corsHeadersFor(corsOrigins, event);
    let opened: { tenant: string; runId: string; afterSeq: number; terminalSeq: number | undefined };
    try {
      const query = parseQuery(StreamQuerySchema, event.queryStringParameters);
      const afterSeq = lastEventIdOf(event) ?? query.afterSeq;
      const { tenant, runId, state } = await runOf(event, store);
      opened = { tenant, runId, afterSeq, terminalSeq: state.terminal?.seq };
    } catch (error) {
      return sendResult(sink, errorResult(error, logger), cors);
    }
    if (opened.terminalSeq !== undefined && opened.afterSeq >= opened.terminalSeq) {
      return sendResult(sink, { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' }, cors);
    }
    const maxStreamMs = Math.min(settings.maxStreamMs, options.deadlineMs ?? Infinity);
    let slot: StreamSlot | undefined;
    try {
      slot = await takeSlot(maxStreamMs);
    } catch (error) {
      return sendResult(sink, errorResult(error, logger), cors);
    }

    sink.open(200, { ...SSE_HEADERS, ...cors });
    try {
      await sink.write(retryFrame(RECONNECT_MS));
      await followRun({
        ...opened,
        settings: { ...settings, maxStreamMs },
        send: (frame) => sink.write(frame),
        signal: sink.closed,
      });
    } catch (error) {
      // The status line is gone already: close, and the client resumes after the last id it got.
      // A write refused because the client went away is the client leaving, not a failure: the
      // socket's reset can reach the write before the close reaches the signal.
      if (sink.closed.aborted || isClientGone(error)) logger.info('stream closed by the client', { runId: opened.runId });
      else logger.error('stream failed', { error });
    } finally {
      sink.end();
      if (slot !== undefined) await releaseSlot(slot);
    }
  };

  /** A slot for a stream of at most `streamMs`, or StreamCapReachedError (429); none needed when there is no cap. */
  async function takeSlot(streamMs: number): Promise<StreamSlot | undefined> {
    if (cap === undefined) return undefined;
    const now = clock.now();
    const slot = await cap.slots.acquire({ leaseId: randomUUID(), cap: cap.max, now, expiresAt: new Date(now.getTime() + streamMs + LEASE_MARGIN_MS) });
    if (slot === undefined) throw new StreamCapReachedError(cap.max, STREAM_RETRY_AFTER_SECONDS);
    return slot;
  }

  /** The stream is over whatever happens here: a failed release is logged, and the lease frees itself at its expiry. */
  async function releaseSlot(slot: StreamSlot): Promise<void> {
    try {
      await slot.release();
    } catch (error) {
      logger.error('stream slot release failed; its lease expires on its own', { error });
    }
  }
}

function lastEventIdOf(event: APIGatewayProxyEvent): number | undefined {
  const value = header(event, 'last-event-id');
  if (value === undefined || value === '') return undefined;
  const parsed = ResumeSeqSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidRequestError('invalid_parameter', 'bad header: Last-Event-ID must be a seq (a whole number)', [{ path: 'Last-Event-ID', message: 'must be a whole number' }]);
  }
  return parsed.data;
}

async function sendResult(sink: ResponseSink, result: APIGatewayProxyResult, cors: Record<string, string>): Promise<void> {
  sink.open(result.statusCode, { ...Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)])), ...cors });
  if (result.body !== '') await sink.write(result.body);
  sink.end();
}

/** The errors a write gets when the client has cut the connection (reset, broken pipe, destroyed socket). */
function isClientGone(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}
