import type { IngestRequest, IngestResponse } from '../ingest/make-ingest-events.ts';
import type { EventStore, RunRef } from '../ports.ts';
import { lastSeqOf } from '../run/run-state.ts';
import { stalenessOf, timedOutAtOf, type StalePolicy } from '../run/staleness.ts';

/** The one eventId a detector ever gives a run's timeout: a second detection is a duplicate. */
export const TIMED_OUT_EVENT_ID = 'runledger.timed_out';

/** Candidates one pass takes; the rest wait for the next pass a minute later. */
const MAX_PER_PASS = 500;

export type StaleRunsReport = { readonly examined: number; readonly timedOut: RunRef[] };

/**
 * Finds running runs that went silent past their heartbeat timeout or ran past their maximum
 * duration, and appends `run.timed_out` to each through the ingest use case, so it is sequenced,
 * stored, published and alerted like any event a producer sends.
 *
 * Never twice for one run: the event has a fixed eventId and a body computed only from the run's
 * state, so two passes racing on the same state send the same event (a duplicate); once it is
 * stored the run is terminal, and terminal runs are never candidates.
 */
export function makeDetectStaleRuns({ store, ingest, policy }: { store: EventStore; ingest: (request: IngestRequest) => Promise<IngestResponse>; policy: StalePolicy }) {
  /** `tenant` limits the pass to one tenant's runs (the local stack's on-demand check, which may be run as if later). */
  return async function detectStaleRuns(now: Date, scope: { tenant?: string } = {}): Promise<StaleRunsReport> {
    const listed = await store.listStaleRuns(now, MAX_PER_PASS);
    const candidates = scope.tenant === undefined ? listed : listed.filter((ref) => ref.tenant === scope.tenant);
    const timedOut: RunRef[] = [];
    for (const ref of candidates) {
      const state = await store.getRun(ref.tenant, ref.runId);
      const staleness = state === undefined ? undefined : stalenessOf(state, policy);
      if (state === undefined || staleness === undefined || staleness.deadlineMs > now.getTime()) continue;
      const event = {
        eventId: TIMED_OUT_EVENT_ID,
        runId: ref.runId,
        type: 'run.timed_out',
        occurredAt: timedOutAtOf(state, staleness),
        // Producer-sequenced runs take the next seq after everything held or claimed.
        ...(state.mode === 'producer' ? { seq: Math.max(lastSeqOf(state), ...state.reserved.map(([seq]) => seq)) + 1 } : {}),
        payload: { timeoutSeconds: staleness.timeoutSeconds, reason: staleness.reason === 'heartbeat' ? 'no event within the heartbeat timeout' : 'ran past its maximum duration' },
      };
      const { results } = await ingest({ tenant: ref.tenant, body: { events: [event] }, pathRunId: ref.runId });
      if (results[0]?.status === 'accepted') timedOut.push(ref);
    }
    return { examined: candidates.length, timedOut };
  };
}
