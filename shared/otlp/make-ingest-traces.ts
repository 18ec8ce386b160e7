import { MAX_EVENTS_PER_REQUEST } from '../contract/limits.ts';
import { validateEvent } from '../contract/validate-event.ts';
import { makeIngestEvents } from '../ingest/make-ingest-events.ts';
import type { IngestResult } from '../ingest/ingest-result.ts';
import type { EventStore } from '../ports.ts';
import { mapSpans, sequenceOrder, type MappedEvent } from './map-spans.ts';
import type { OtlpSpan } from './read-export-request.ts';

export type IngestTracesRequest = { readonly tenant: string; readonly spans: readonly OtlpSpan[] };

/** ExportTraceServiceResponse's partialSuccess: how many spans were not taken, and why (the first few reasons). */
export type IngestTracesResponse = { readonly rejectedSpans: number; readonly errorMessage: string };

/** Reasons listed in errorMessage; the count says how many spans there were in all. */
const SHOWN_REASONS = 3;

/**
 * Runs appended at once: an export of 16 traces writes 16 runs side by side, as 16 producers would,
 * without one export opening more DynamoDB calls at once than a Lambda's connection pool holds.
 */
const RUNS_AT_ONCE = 8;

type Sequenced = { readonly event: MappedEvent; readonly span: number };

/**
 * The OTLP trace use case: maps the export's spans to events (shared/otlp/map-spans.ts), refuses
 * whole spans whose events break the contract (none of such a span is stored), and hands the rest to
 * the ingest use case every producer's events go through, server-sequenced, in chunks of the
 * contract's request size. A run's chunks go one after another, so its events get their seqs in the
 * order the mapping gave them (by time, a span's start before its end); runs go side by side.
 */
export function makeIngestTraces({ store }: { store: EventStore }) {
  const ingestEvents = makeIngestEvents({ store });
  return async function ingestTraces({ tenant, spans }: IngestTracesRequest): Promise<IngestTracesResponse> {
    const reasons = new Map<number, string>();
    const byRun = new Map<string, Sequenced[]>();
    mapSpans(spans).forEach(({ events }, span) => {
      const invalid = events.map((event) => validateEvent(event, '')).find((validation) => !validation.ok);
      if (invalid !== undefined && !invalid.ok) {
        reasons.set(span, `span ${spans[span]?.spanId ?? '?'}: ${invalid.errors.map(({ path, message }) => `${path} ${message}`).join('; ')}`);
        return;
      }
      for (const event of events) {
        const runEvents = byRun.get(event.runId) ?? [];
        runEvents.push({ event, span });
        byRun.set(event.runId, runEvents);
      }
    });

    // Runs in parallel (a few at a time), each run's chunks one after another.
    const runs = [...byRun.values()].map((events) => events.toSorted((a, b) => sequenceOrder(a.event, b.event)));
    const ingestRun = async (events: Sequenced[]) => {
      for (let start = 0; start < events.length; start += MAX_EVENTS_PER_REQUEST) {
        const chunk = events.slice(start, start + MAX_EVENTS_PER_REQUEST);
        const { results } = await ingestEvents({ tenant, body: { events: chunk.map(({ event }) => event) } });
        results.forEach((result, index) => {
          const span = chunk[index]?.span;
          const reason = reasonOf(result);
          if (span !== undefined && reason !== undefined && !reasons.has(span)) reasons.set(span, `span ${spans[span]?.spanId ?? '?'}: ${reason}`);
        });
      }
    };
    let next = 0;
    const worker = async () => {
      for (let run = runs[next++]; run !== undefined; run = runs[next++]) await ingestRun(run);
    };
    await Promise.all(Array.from({ length: Math.min(RUNS_AT_ONCE, runs.length) }, worker));

    const shown = [...reasons.values()].slice(0, SHOWN_REASONS);
    const more = reasons.size - shown.length;
    return { rejectedSpans: reasons.size, errorMessage: reasons.size === 0 ? '' : `${shown.join(' | ')}${more > 0 ? ` (and ${more} more)` : ''}` };
  };
}

function reasonOf(result: IngestResult): string | undefined {
  switch (result.status) {
    case 'accepted':
    case 'duplicate':
      return undefined;
    case 'rejected':
      return result.errors.map(({ path, message }) => `${path} ${message}`).join('; ');
    case 'conflict':
      return `${result.eventId} ${result.message}`;
  }
}
