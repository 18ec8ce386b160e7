import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { InvalidRequestError } from '#shared/errors.ts';
import type { Clock, EventStore } from '#shared/ports.ts';
import { parseQuery, ResumeSeqSchema, StreamQuerySchema } from '#shared/query/query-params.ts';
import { makeFollowRun, type FollowSettings } from '#shared/stream/follow-run.ts';
import { retryFrame, SSE_HEADERS } from '#shared/stream/sse.ts';
import { corsHeadersFor } from '../http/cors.ts';
import { header } from '../http/header.ts';
import { errorResult } from '../http/http-errors.ts';
import type { ResponseSink } from '../http/response-sink.ts';
import { runOf } from '../http/run-route.ts';

/** How long an EventSource waits before reconnecting once a stream closes before the run ends. */
const RECONNECT_MS = 1000;

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
}: {
  store: EventStore;
  clock: Clock;
  logger: Logger;
  settings: FollowSettings;
  /** Browser origins whose pages may read the stream (functions/http/cors.ts). */
  corsOrigins?: readonly string[];
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

    sink.open(200, { ...SSE_HEADERS, ...cors });
    try {
      await sink.write(retryFrame(RECONNECT_MS));
      await followRun({
        ...opened,
        settings: { ...settings, maxStreamMs: Math.min(settings.maxStreamMs, options.deadlineMs ?? Infinity) },
        send: (frame) => sink.write(frame),
        signal: sink.closed,
      });
    } catch (error) {
      // The status line is gone already: close, and the client resumes after the last id it got.
      logger.error('stream failed', { error });
    } finally {
      sink.end();
    }
  };
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
