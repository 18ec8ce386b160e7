import type { ScheduledEvent } from 'aws-lambda';
import { makeIngestEvents } from '#shared/ingest/make-ingest-events.ts';
import { makeDetectStaleRuns } from '#shared/stale/detect-stale-runs.ts';
import type { Root } from '../runtime/compose.ts';
import { stalePolicyOf } from '../runtime/parts/settings.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';

/**
 * Every minute (an EventBridge schedule in AWS, a timer in the local stack): times out running
 * runs that went silent or ran too long. "Now" is the schedule's time, so a late or repeated
 * invocation judges the same minute the same way.
 */
export function makeDetectStaleRunsHandler(root: Root) {
  const eventStore = eventStoreOf(root);
  const detectStaleRuns = makeDetectStaleRuns({ store: eventStore, ingest: makeIngestEvents({ store: eventStore }), policy: stalePolicyOf(root) });
  /** `tenant` is never set by the schedule; the local stack's `POST /local/stale-check` sets the caller's. */
  return async function detectStaleRunsHandler(event: Pick<ScheduledEvent, 'time'> & { readonly tenant?: string }): Promise<{ examined: number; timedOut: number }> {
    const report = await detectStaleRuns(new Date(event.time), event.tenant === undefined ? {} : { tenant: event.tenant });
    if (report.timedOut.length > 0) root.logger.info('timed out stale runs', { runs: report.timedOut });
    return { examined: report.examined, timedOut: report.timedOut.length };
  };
}
