import type { Context, ScheduledEvent } from 'aws-lambda';
import { REDRIVE_TIME_RESERVE_MS } from '#shared/defaults.ts';
import { makeRedriveRelayFailures, type RedriveResult } from '#shared/relay/redrive-relay-failures.ts';
import type { Root } from '../runtime/compose.ts';
import { ConfigError } from '../runtime/config.ts';
import { failedPublishStoreOf, publisherOf } from '../runtime/parts/publishing.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';


/**
 * Every 5 minutes (an EventBridge schedule in AWS, a timer in the local stack): publishes again
 * what the relay kept after its retries, so a brief EventBridge outage heals without anyone
 * running `npm run dlq -- redrive`. A failure still refused stays kept for the next pass; the
 * function fails only when the store or the table cannot be read (alarmed).
 */
export function makeRedriveRelayFailuresHandler(root: Root) {
  const { logger } = root;
  const failures = failedPublishStoreOf(root);
  if (failures === undefined) {
    throw new ConfigError([{ key: 'RUNLEDGER_RELAY_FAILURES_QUEUE_URL', message: 'or RUNLEDGER_RELAY_FAILURES_DIR is required (the relay failures redrive needs one)' }]);
  }
  const redrive = makeRedriveRelayFailures({
    failures,
    store: eventStoreOf(root),
    publisher: publisherOf(root),
    onProgress: (_done, _total, failure, outcome, reason) => {
      if (outcome === 'failed') logger.warn('relay failure still not published; kept for the next pass', { tenant: failure.tenant, runId: failure.runId, seqs: failure.seqs, reason });
    },
  });
  return async function redriveRelayFailuresHandler(_event: Pick<ScheduledEvent, 'time'>, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RedriveResult> {
    const result = await redrive({ hasTime: () => context.getRemainingTimeInMillis() > REDRIVE_TIME_RESERVE_MS });
    if (result.redriven > 0 || result.failed > 0 || result.outOfTime) logger.info('relay failures redriven', { ...result });
    return result;
  };
}
