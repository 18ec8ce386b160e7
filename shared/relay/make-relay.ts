import type { PublishedDetail } from '../bus/published-event.ts';
import { EVENT_SOURCE } from '../bus/observer-filter.ts';
import { systemClock, type BusEntry, type Clock, type EventPublisher, type FailedPublishStore } from '../ports.ts';
import { toFailedPublishes } from './failed-publish.ts';

export type RelayRecord = { readonly sequenceNumber: string; readonly detail?: PublishedDetail };
export type RelayResult = { readonly batchItemFailures: Array<{ itemIdentifier: string }> };

/** PutEvents takes at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;

/**
 * The relay use case: new stored events -> bus entries for the types some observer wants, sent 10
 * at a time. Entries the bus reports as failed are retried (only those) with backoff. What still
 * fails after that is kept in the failure store (tenant, run, seqs: a redrive reads the events back
 * from the table) and the records count as handled. If keeping them fails too, or there is no
 * store, the records are reported, so the stream redelivers them: at least once, never lost.
 */
export function makeRelay({
  publisher,
  shouldPublish,
  maxAttempts = 4,
  sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  onCallFailed = () => undefined,
  failures,
  onRecordFailed = () => undefined,
  clock = systemClock,
}: {
  publisher: EventPublisher;
  shouldPublish: (type: string) => boolean;
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
    const pending = records.flatMap((record) =>
      record.detail !== undefined && shouldPublish(record.detail.type) ? [{ sequenceNumber: record.sequenceNumber, detail: record.detail, entry: toEntry(record.detail) }] : [],
    );
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
        return { batchItemFailures: [] };
      } catch (error: unknown) {
        onRecordFailed(error);
      }
    }
    return { batchItemFailures: failing.map(({ sequenceNumber }) => ({ itemIdentifier: sequenceNumber })) };
  };
}

/** The bus entry of a stored event: the relay's and the redrive's. */
export function toEntry(detail: PublishedDetail): BusEntry {
  return { source: EVENT_SOURCE, detailType: detail.type, detail: JSON.stringify(detail), time: new Date(detail.receivedAt) };
}
