import type { RunEvent } from '../contract/event.ts';
import type { FieldError } from '../contract/issues.ts';
import { MAX_EVENTS_PER_REQUEST } from '../contract/limits.ts';
import { validateEvent } from '../contract/validate-event.ts';
import { InvalidRequestError, RequestTooLargeError } from '../errors.ts';
import type { AppendCandidate, AppendOutcome, EventStore } from '../ports.ts';
import { eventHash } from '../run/event-hash.ts';
import { summarizeResults, type IngestOutcome, type IngestResult } from './ingest-result.ts';

export type IngestRequest = {
  readonly tenant: string;
  /** The parsed JSON body. */
  readonly body: unknown;
  /** `{runId}` of `POST /v1/runs/{runId}/events`; absent for `POST /v1/events`. */
  readonly pathRunId?: string;
};

export type IngestResponse = { readonly outcome: IngestOutcome; readonly results: IngestResult[] };

type RawEvent = { readonly raw: unknown; readonly pathPrefix: string };

/**
 * The ingest use case: validates each event on its own (one bad event never blocks the others),
 * appends the valid ones run by run, and answers per event in request order.
 */
export function makeIngestEvents({ store }: { store: EventStore }) {
  return async function ingestEvents(request: IngestRequest): Promise<IngestResponse> {
    const rawEvents = eventsOf(request.body, request.pathRunId);
    const results = new Array<IngestResult | undefined>(rawEvents.length);
    const byRun = new Map<string, AppendCandidate[]>();

    rawEvents.forEach(({ raw, pathPrefix }, index) => {
      const validation = validateEvent(raw, pathPrefix, request.pathRunId);
      if (!validation.ok) {
        results[index] = rejected(raw, validation.errors, request.pathRunId);
        return;
      }
      const runCandidates = byRun.get(validation.event.runId) ?? [];
      runCandidates.push({ event: validation.event, hash: eventHash(validation.event), index });
      byRun.set(validation.event.runId, runCandidates);
    });

    await Promise.all(
      [...byRun].map(async ([runId, candidates]) => {
        const outcomes = await store.appendToRun(request.tenant, runId, candidates);
        candidates.forEach((candidate, position) => {
          const outcome = outcomes[position];
          if (outcome === undefined) throw new Error(`the store gave no outcome for event ${candidate.index}`);
          results[candidate.index] = toResult(candidate.event, outcome, rawEvents[candidate.index]?.pathPrefix ?? '');
        });
      }),
    );

    const complete = results.filter((result) => result !== undefined);
    if (complete.length !== rawEvents.length) throw new Error('an event was left without a result');
    return { outcome: summarizeResults(complete), results: complete };
  };
}

/** The request's events: `{"events": [...]}`, or (on the run route only) one event object. */
function eventsOf(body: unknown, pathRunId: string | undefined): RawEvent[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError(
      'invalid_request',
      pathRunId === undefined ? 'the body must be a JSON object {"events": [...]}' : 'the body must be one event object or {"events": [...]}',
    );
  }
  if (!Object.hasOwn(body, 'events')) {
    if (pathRunId !== undefined) return [{ raw: body, pathPrefix: '' }];
    throw new InvalidRequestError('invalid_request', 'the body must have an "events" array', [{ path: 'events', message: 'is required' }]);
  }
  const events = fieldOf(body, 'events');
  const extra = Object.keys(body).filter((key) => key !== 'events');
  if (extra.length > 0) {
    throw new InvalidRequestError('invalid_request', `the body has unknown field(s) ${extra.map((key) => `'${key}'`).join(', ')}`, extra.map((key) => ({ path: key, message: 'is not a known field' })));
  }
  if (!Array.isArray(events)) {
    throw new InvalidRequestError('invalid_request', '"events" must be an array of event objects', [{ path: 'events', message: 'must be an array' }]);
  }
  if (events.length === 0) {
    throw new InvalidRequestError('invalid_request', '"events" must hold at least one event', [{ path: 'events', message: 'must not be empty' }]);
  }
  if (events.length > MAX_EVENTS_PER_REQUEST) {
    throw new RequestTooLargeError(`one request may carry at most ${MAX_EVENTS_PER_REQUEST} events; this one has ${events.length}`);
  }
  return events.map((raw: unknown, index) => ({ raw, pathPrefix: `events[${index}]` }));
}

function fieldOf(value: object, field: string): unknown {
  return Object.getOwnPropertyDescriptor(value, field)?.value;
}

function stringField(raw: unknown, field: string): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const value = fieldOf(raw, field);
  return typeof value === 'string' ? value : null;
}

function rejected(raw: unknown, errors: FieldError[], pathRunId: string | undefined): IngestResult {
  return { status: 'rejected', eventId: stringField(raw, 'eventId'), runId: stringField(raw, 'runId') ?? pathRunId ?? null, errors };
}

function toResult(event: RunEvent, outcome: AppendOutcome, pathPrefix: string): IngestResult {
  const ids = { eventId: event.eventId, runId: event.runId };
  switch (outcome.outcome) {
    case 'accepted':
    case 'duplicate':
      return { status: outcome.outcome, ...ids, seq: outcome.seq };
    case 'conflict':
      return { status: 'conflict', ...ids, ...(outcome.seq === undefined ? {} : { seq: outcome.seq }), message: outcome.message };
    case 'rejected': {
      const path = outcome.field === undefined ? pathPrefix : pathPrefix === '' ? outcome.field : `${pathPrefix}.${outcome.field}`;
      return { status: 'rejected', ...ids, errors: [{ path: path === '' ? '(body)' : path, message: outcome.message }] };
    }
  }
}
