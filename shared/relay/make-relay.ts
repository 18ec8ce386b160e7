import type { PublishedDetail } from '../bus/published-event.ts';
import { EVENT_SOURCE } from '../bus/observer-filter.ts';
import type { StoredEvent } from '../contract/event.ts';
import type { SeqRange } from '../run/confirmed-range.ts';
import { systemClock, type BusEntry, type Clock, type EventPublisher, type FailedPublishStore } from '../ports.ts';
import { toFailedPublishes } from './failed-publish.ts';

/**
 * One stream record: `detail`, an event to publish as it is (producer-sequenced); `confirmed`, a
 * range of a server-sequenced run its summary just confirmed, read back and published in seq
 * order; neither, nothing to publish.
 */
export type RelayRecord = {
  readonly sequenceNumber: string;
  readonly detail?: PublishedDetail;
  readonly confirmed?: SeqRange & { readonly tenant: string; readonly runId: string };
};
export type RelayResult = { readonly batchItemFailures: Array<{ itemIdentifier: string }> };

/** PutEvents takes at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;

/**
 * The relay use case: new stored events -> bus entries for the types some observer wants, sent 10
 * at a time, in record order (a confirmed range in seq order). A server-sequenced run's events are
 * published only once confirmed, from the confirm's record: an observer never gets seq N+1 before
 * N is confirmed, nor an event no writer had acknowledged yet. If a range cannot be read, that
 * record and every one after it are handed back to the stream unpublished (nothing later overtakes
 * it). Entries the bus reports as failed are retried (only those) with backoff. What still
 * fails after that is kept in the failure store (tenant, run, seqs: a redrive reads the events back
 * from the table) and the records count as handled. If keeping them fails too, or there is no
 * store, the records are reported, so the stream redelivers them: at least once, never lost.
 */
export function makeRelay({
  publisher,
  shouldPublish,
  readConfirmed,
  onReadFailed = () => undefined,
  maxAttempts = 4,
  sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  onCallFailed = () => undefined,
  failures,
  onRecordFailed = () => undefined,
  clock = systemClock,
}: {
  publisher: EventPublisher;
  shouldPublish: (type: string) => boolean;
  /** A confirmed range's events, all of them, in seq order (read-seq-range.ts), or it throws. */
  readConfirmed: (tenant: string, runId: string, range: SeqRange) => Promise<readonly StoredEvent[]>;
  /** Told when a confirmed range could not be read (its record and those after it go back to the stream). */
  onReadFailed?: (error: unknown) => void;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told when a whole PutEvents call fails (its entries are retried like failed entries). */
  onCallFailed?: (error: unknown) => void;
  /** Keeps what could not be published, for a redrive. @default none: the stream retries */
  failures?: FailedPublishStore;
  /** Told when keeping the failures failed (the records go back to the stream). */
  onRecordFailed?: (error: unknown) => void;
  clock?: Clock;
}) {
  return async function relay(records: readonly RelayRecord[]): Promise<RelayResult> {
    const { published, unread } = await detailsOf(records, readConfirmed, onReadFailed);
    const handBack = unread.map(({ sequenceNumber }) => ({ itemIdentifier: sequenceNumber }));
    const pending = published.flatMap(({ sequenceNumber, detail }) => (shouldPublish(detail.type) ? [{ sequenceNumber, detail, entry: toEntry(detail) }] : []));
    let failing = pending;
    let reason = 'the bus reported the entries failed';
    for (let attempt = 0; attempt < maxAttempts && failing.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 50 * 2 ** attempt) * Math.random());
      const stillFailing: typeof pending = [];
      for (let start = 0; start < failing.length; start += ENTRIES_PER_CALL) {
        const chunk = failing.slice(start, start + ENTRIES_PER_CALL);
        const failed = await publisher.putEntries(chunk.map(({ entry }) => entry)).catch((error: unknown) => {
          onCallFailed(error);
          reason = `PutEvents failed: ${error instanceof Error ? error.message : String(error)}`;
          return chunk.map((_, index) => index);
        });
        for (const index of failed) {
          const item = chunk[index];
          if (item !== undefined) stillFailing.push(item);
        }
      }
      failing = stillFailing;
    }
    if (failing.length > 0 && failures !== undefined) {
      try {
        await failures.record(toFailedPublishes(failing.map(({ detail }) => detail), reason, clock.now()));
        return { batchItemFailures: handBack };
      } catch (error: unknown) {
        onRecordFailed(error);
      }
    }
    // A confirmed range is one record for many entries: hand it back once.
    const failed = new Set(failing.map(({ sequenceNumber }) => sequenceNumber));
    return { batchItemFailures: [...records.filter(({ sequenceNumber }) => failed.has(sequenceNumber)).map(({ sequenceNumber }) => ({ itemIdentifier: sequenceNumber })), ...handBack] };
  };
}

/** The events the records stand for, in record order; from the first range that could not be read on, the records are left unread. */
async function detailsOf(
  records: readonly RelayRecord[],
  readConfirmed: (tenant: string, runId: string, range: SeqRange) => Promise<readonly StoredEvent[]>,
  onReadFailed: (error: unknown) => void,
): Promise<{ published: Array<{ sequenceNumber: string; detail: PublishedDetail }>; unread: readonly RelayRecord[] }> {
  const published: Array<{ sequenceNumber: string; detail: PublishedDetail }> = [];
  for (const [position, record] of records.entries()) {
    const { sequenceNumber, detail, confirmed } = record;
    if (detail !== undefined) published.push({ sequenceNumber, detail });
    if (confirmed === undefined) continue;
    try {
      const events = await readConfirmed(confirmed.tenant, confirmed.runId, confirmed);
      for (const event of events) published.push({ sequenceNumber, detail: { ...event, tenant: confirmed.tenant } });
    } catch (error: unknown) {
      onReadFailed(error);
      return { published, unread: records.slice(position) };
    }
  }
  return { published, unread: [] };
}

/** The bus entry of a stored event: the relay's and the redrive's. */
export function toEntry(detail: PublishedDetail): BusEntry {
  return { source: EVENT_SOURCE, detailType: detail.type, detail: JSON.stringify(detail), time: new Date(detail.receivedAt) };
}
