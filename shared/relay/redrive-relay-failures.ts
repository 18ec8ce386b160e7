import type { StoredEvent } from '../contract/event.ts';
import type { EventPublisher, EventStore, FailedPublish, FailedPublishStore, KeptFailedPublish } from '../ports.ts';
import { toEntry } from './make-relay.ts';
import { readSeqRange } from './read-seq-range.ts';

export type RedriveResult = {
  /** Failures whose events were all published again (and removed from the store). */
  readonly redriven: number;
  /** Failures kept: some entry still failed to publish, or the PutEvents call failed. */
  readonly failed: number;
  /** Seqs a failure named that the table no longer has (past retention): published nothing for them. */
  readonly missingSeqs: number;
  /** The time budget ran out before every failure was tried: the rest are left for the next pass. */
  readonly outOfTime: boolean;
};

export type RedriveOutcome = 'redriven' | 'failed';

export type RedriveOptions = {
  /** Only the failures this accepts (a tenant's, one file): the others are left as they were. @default every one */
  readonly which?: (kept: KeptFailedPublish) => boolean;
  /** Told before each failure; false ends the pass there (a scheduled pass stops within its time budget). @default always true */
  readonly hasTime?: () => boolean;
};

const ENTRIES_PER_CALL = 10;

/**
 * Publishes again what the relay could not: each kept failure's events are read back from the
 * event store by seq and put on the bus; the failure is removed only after every one was
 * accepted (deliver first, delete after), so a crash mid-way repeats events, never loses them.
 * A failure whose PutEvents call fails is kept and the pass goes on with the next one, so one
 * stuck failure never holds the others back. What the pass received and did not remove is
 * released when it ends (even when it ends by an error), so the next pass tries it again.
 */
export function makeRedriveRelayFailures({
  failures,
  store,
  publisher,
  onProgress = () => undefined,
}: {
  failures: FailedPublishStore;
  store: EventStore;
  publisher: EventPublisher;
  /**
   * After each failure: how many were handled of how many there were at the start (all kept ones,
   * whatever `which` accepts), and for a failure kept, why.
   */
  onProgress?: (done: number, total: number, failure: FailedPublish, outcome: RedriveOutcome, reason?: string) => void;
}) {
  return async function redrive(options: RedriveOptions = {}): Promise<RedriveResult> {
    const { which = () => true, hasTime = () => true } = options;
    const total = await failures.count();
    let redriven = 0;
    let failed = 0;
    let missingSeqs = 0;
    let outOfTime = false;
    const inHand = new Set<string>();
    try {
      for (let batch = await failures.receive(10); batch.length > 0; batch = await failures.receive(10)) {
        for (const kept of batch) inHand.add(kept.handle);
        for (const kept of batch) {
          if (!which(kept)) continue;
          if (!hasTime()) {
            outOfTime = true;
            break;
          }
          const { handle, failure } = kept;
          const events = await readSeqs(store, failure);
          missingSeqs += failure.seqs.length - events.length;
          const published = await publishAll(publisher, failure.tenant, events);
          if (published.ok) {
            await failures.remove(handle);
            inHand.delete(handle);
            redriven++;
          } else failed++;
          onProgress(redriven + failed, Math.max(total, redriven + failed), failure, published.ok ? 'redriven' : 'failed', published.ok ? undefined : published.reason);
        }
        if (outOfTime) break;
      }
    } finally {
      for (const handle of inHand) await failures.release(handle);
    }
    return { redriven, failed, missingSeqs, outOfTime };
  };
}

/** The failure's events, read from its first seq to its last. */
async function readSeqs(store: EventStore, failure: FailedPublish): Promise<StoredEvent[]> {
  const wanted = new Set(failure.seqs);
  const events = await readSeqRange(store, failure.tenant, failure.runId, { from: Math.min(...failure.seqs), to: Math.max(...failure.seqs) });
  return events.filter((event) => wanted.has(event.seq));
}

type Published = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Every event on the bus, or why not: a failed call is this failure's outcome, not the pass's end. */
async function publishAll(publisher: EventPublisher, tenant: string, events: readonly StoredEvent[]): Promise<Published> {
  let refused = 0;
  for (let start = 0; start < events.length; start += ENTRIES_PER_CALL) {
    const entries = events.slice(start, start + ENTRIES_PER_CALL).map((event) => toEntry({ ...event, tenant }));
    try {
      refused += (await publisher.putEntries(entries)).length;
    } catch (error: unknown) {
      return { ok: false, reason: `PutEvents failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return refused === 0 ? { ok: true } : { ok: false, reason: `the bus refused ${refused} of ${events.length} entries` };
}
