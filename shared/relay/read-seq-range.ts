import type { StoredEvent } from '../contract/event.ts';
import type { EventStore } from '../ports.ts';
import type { SeqRange } from '../run/confirmed-range.ts';

const PAGE = 100;

/** The run's stored events with seqs in `range`, in seq order, paging through the run; seqs the table lacks are left out. */
export async function readSeqRange(store: Pick<EventStore, 'listEvents'>, tenant: string, runId: string, range: SeqRange): Promise<StoredEvent[]> {
  const found: StoredEvent[] = [];
  let afterSeq = range.from - 1;
  while (afterSeq < range.to) {
    const page = await store.listEvents(tenant, runId, { afterSeq, limit: Math.min(PAGE, range.to - afterSeq) });
    found.push(...page.filter((event) => event.seq <= range.to));
    const next = page.at(-1)?.seq;
    if (next === undefined || next <= afterSeq) break;
    afterSeq = next;
  }
  return found;
}

/** A confirmed range whose events the table does not all hold (read too early, or past retention). */
export class ConfirmedRangeIncompleteError extends Error {
  override readonly name = 'ConfirmedRangeIncompleteError';
}

/**
 * The relay's reader of a confirm's range: every event in it, or an error (the stream then delivers
 * the confirm again), so the relay never publishes part of a range and moves on.
 */
export function makeReadConfirmed(store: Pick<EventStore, 'listEvents'>) {
  return async function readConfirmed(tenant: string, runId: string, range: SeqRange): Promise<StoredEvent[]> {
    const events = await readSeqRange(store, tenant, runId, range);
    if (events.length !== range.to - range.from + 1) {
      throw new ConfirmedRangeIncompleteError(`run '${runId}' confirmed seqs ${range.from}-${range.to} but ${events.length} of them were read back`);
    }
    return events;
  };
}
