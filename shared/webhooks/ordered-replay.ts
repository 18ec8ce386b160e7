import type { PublishedDetail } from '../bus/published-event.ts';
import type { Clock, EventStore } from '../ports.ts';
import type { DeliveredBatch } from './delivered-batch.ts';
import type { DeliveryJob, DeliveryQueue, ReplayJob } from './delivery-job.ts';
import type { DeliveryOutcome } from './deliver-webhook.ts';
import type { LedgerKey, ReplayLedger, ReplayStatus, SubscriptionStore } from './ports.ts';
import { matcherOf } from './subscription-match.ts';

/** How much one run of a replay job does before it goes back on the queue: well inside the worker's timeout. */
export type ReplaySlice = {
  /** Events read (matched or not) per slice. */
  readonly maxEvents: number;
  /** Time per slice; the slice may overrun it by one send (bounded by the send timeout). */
  readonly maxMs: number;
};

/** What one slice did: the seqs it delivered and found dead, and how it ended. */
export type ReplaySliceResult = {
  readonly outcome: 'continued' | 'retrying' | 'done' | 'cancelled' | 'stale';
  readonly delivered: readonly number[];
  readonly dead: readonly number[];
  /** The replay record could not be moved on after its continuation was queued: logged, not thrown (a retry of this job would run the slice twice side by side). */
  readonly ledgerError?: unknown;
};

/** Events read from the store per query: a slice reads what it sends and little more. */
const PAGE = 100;

/**
 * One slice of an ordered replay: the run's events after `job.afterSeq` (up to `job.throughSeq`),
 * through the subscription's filter, sent strictly one after another by the same `deliver` the
 * live jobs use (same signing, webhook-id, retry schedule and failure records). Event N+1 is never
 * sent before event N is delivered or dead: on a failure the job goes back on the queue at the
 * same position with the next attempt and the schedule's delay; a dead event is recorded dead by
 * `deliver` and the replay goes on with the next one at attempt 1. After `slice` it goes back on
 * the queue to continue, so a run of any length fits and the message stays small. Successes go
 * into the delivered batch as live ones do; the replay's own record moves once per slice.
 */
export function makeOrderedReplay(deps: {
  events: Pick<EventStore, 'listEvents'>;
  subscriptions: Pick<SubscriptionStore, 'get'>;
  deliver: (job: DeliveryJob) => Promise<DeliveryOutcome>;
  delivered: Pick<DeliveredBatch, 'add' | 'flush'>;
  replays: ReplayLedger;
  queue: DeliveryQueue;
  clock: Clock;
  slice: ReplaySlice;
}) {
  const isActive = async (job: ReplayJob) => (await deps.subscriptions.get(job.tenant, job.subscriptionId))?.status === 'active';
  return async (job: ReplayJob): Promise<ReplaySliceResult> => {
    const key: LedgerKey = { tenant: job.tenant, runId: job.runId, subscriber: job.subscriptionId, kind: 'webhook' };
    const record = await deps.replays.getReplay(key, job.replayId);
    // A copy of a job the replay has moved past (SQS delivers at least once), or of a finished replay.
    if (record === undefined || record.step > job.step || record.status === 'done' || record.status === 'cancelled') return { outcome: 'stale', delivered: [], dead: [] };

    const delivered: number[] = [];
    const dead: number[] = [];
    let position = job.afterSeq;
    let attempt = job.attempt;
    const advance = async (status: ReplayStatus) => {
      const at = deps.clock.now();
      // The delivered blocks first: a replay shown done has its events shown delivered.
      await deps.delivered.flush(at);
      await deps.replays.advanceReplay(key, job.replayId, { fromStep: job.step, nextSeq: position + 1, status, at });
    };
    const end = async (outcome: 'done' | 'cancelled'): Promise<ReplaySliceResult> => {
      await advance(outcome);
      return { outcome, delivered, dead };
    };
    const requeue = async (outcome: 'continued' | 'retrying', delayMs: number): Promise<ReplaySliceResult> => {
      // Queued before the record moves: if queueing fails the job runs again from where it began; a record that lags one slice only shows less progress.
      await deps.queue.enqueue([{ ...job, afterSeq: position, attempt, step: job.step + 1 }], delayMs);
      try {
        await advance(outcome === 'continued' ? 'running' : 'retrying');
      } catch (error: unknown) {
        return { outcome, delivered, dead, ledgerError: error };
      }
      return { outcome, delivered, dead };
    };

    const subscription = await deps.subscriptions.get(job.tenant, job.subscriptionId);
    if (subscription?.status !== 'active') return end('cancelled');
    const matches = matcherOf(subscription.filter);
    const startedAt = deps.clock.now().getTime();
    let examined = 0;
    const sliceSpent = () => examined >= deps.slice.maxEvents || deps.clock.now().getTime() - startedAt >= deps.slice.maxMs;

    for (;;) {
      if (position >= job.throughSeq) return end('done');
      if (sliceSpent()) return requeue('continued', 0);
      const page = await deps.events.listEvents(job.tenant, job.runId, { afterSeq: position, limit: Math.min(PAGE, deps.slice.maxEvents - examined) });
      const inRange = page.filter((stored) => stored.seq <= job.throughSeq);
      // Nothing stored past here (gaps at the end, or expired): the replay has sent all there is.
      if (inRange.length === 0) return end('done');
      for (const stored of inRange) {
        if (sliceSpent()) return requeue('continued', 0);
        examined += 1;
        const event: PublishedDetail = { ...stored, tenant: job.tenant };
        if (!matches(event)) {
          position = stored.seq;
          continue;
        }
        const outcome = await deps.deliver({ tenant: job.tenant, subscriptionId: job.subscriptionId, event, attempt });
        if (outcome.outcome === 'retry') {
          attempt += 1;
          return requeue('retrying', outcome.delayMs);
        }
        if (outcome.outcome === 'skipped') return end('cancelled');
        position = stored.seq;
        attempt = 1;
        if (outcome.outcome === 'delivered') {
          deps.delivered.add(key, stored.seq);
          delivered.push(stored.seq);
        } else {
          dead.push(stored.seq);
          // A dead event may be the one that disabled the subscription: the rest would all be dead too.
          if (!(await isActive(job))) return end('cancelled');
        }
      }
    }
  };
}
