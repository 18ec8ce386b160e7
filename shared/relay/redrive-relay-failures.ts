import type { StoredEvent } from '../contract/event.ts';
import type { EventPublisher, EventStore, FailedPublish, FailedPublishStore } from '../ports.ts';
import { toEntry } from './make-relay.ts';

export type RedriveResult = {
  /** Failures whose events were all published again (and removed from the store). */
  readonly redriven: number;
  /** Failures kept: some entry still failed to publish, or the events could not be read. */
  readonly failed: number;
  /** Seqs a failure named that the table no longer has (past retention): published nothing for them. */
  readonly missingSeqs: number;
};

const ENTRIES_PER_CALL = 10;
const PAGE = 100;

/**
 * Publishes again what the relay could not: each kept failure's events are read back from the
 * event store by seq and put on the bus; the failure is removed only after every one was
 * accepted (deliver first, delete after), so a crash mid-way repeats events, never loses them.
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
  /** After each failure: how many were handled of how many there were at the start. */
  onProgress?: (done: number, total: number, failure: FailedPublish, outcome: 'redriven' | 'failed') => void;
}) {
  return async function redrive(): Promise<RedriveResult> {
    const total = await failures.count();
    let redriven = 0;
    let failed = 0;
    let missingSeqs = 0;
    for (let batch = await failures.receive(10); batch.length > 0; batch = await failures.receive(10)) {
      for (const { handle, failure } of batch) {
        const events = await readSeqs(store, failure);
        missingSeqs += failure.seqs.length - events.length;
        const published = await publishAll(publisher, failure.tenant, events);
        if (published) {
          await failures.remove(handle);
          redriven++;
        } else failed++;
        onProgress(redriven + failed, Math.max(total, redriven + failed), failure, published ? 'redriven' : 'failed');
      }
    }
    return { redriven, failed, missingSeqs };
  };
}

/** The failure's events, paging through the run from its first seq to its last. */
async function readSeqs(store: EventStore, failure: FailedPublish): Promise<StoredEvent[]> {
  const wanted = new Set(failure.seqs);
  const last = Math.max(...failure.seqs);
  const found: StoredEvent[] = [];
  let afterSeq = Math.min(...failure.seqs) - 1;
  while (afterSeq < last) {
    const page = await store.listEvents(failure.tenant, failure.runId, { afterSeq, limit: Math.min(PAGE, last - afterSeq) });
    found.push(...page.filter((event) => wanted.has(event.seq)));
    const next = page.at(-1)?.seq;
    if (next === undefined) break;
    afterSeq = next;
  }
  return found;
}

async function publishAll(publisher: EventPublisher, tenant: string, events: readonly StoredEvent[]): Promise<boolean> {
  let allAccepted = true;
  for (let start = 0; start < events.length; start += ENTRIES_PER_CALL) {
    const entries = events.slice(start, start + ENTRIES_PER_CALL).map((event) => toEntry({ ...event, tenant }));
    const failedPositions = await publisher.putEntries(entries);
    if (failedPositions.length > 0) allAccepted = false;
  }
  return allAccepted;
}
