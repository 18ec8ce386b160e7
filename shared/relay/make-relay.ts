import type { PublishedDetail } from '../bus/published-event.ts';
import { EVENT_SOURCE } from '../bus/observer-filter.ts';
import type { BusEntry, EventPublisher } from '../ports.ts';

export type RelayRecord = { readonly sequenceNumber: string; readonly detail?: PublishedDetail };
export type RelayResult = { readonly batchItemFailures: Array<{ itemIdentifier: string }> };

/** PutEvents takes at most 10 entries per call. */
const ENTRIES_PER_CALL = 10;

/**
 * The relay use case: new stored events -> bus entries for the types some observer wants, sent 10
 * at a time. Entries the bus reports as failed are retried (only those) with backoff; records still
 * failing after that are reported, so the stream redelivers them: at least once, never lost.
 */
export function makeRelay({
  publisher,
  shouldPublish,
  maxAttempts = 4,
  sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  onCallFailed = () => undefined,
}: {
  publisher: EventPublisher;
  shouldPublish: (type: string) => boolean;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told when a whole PutEvents call fails (its entries are retried like failed entries). */
  onCallFailed?: (error: unknown) => void;
}) {
  return async function relay(records: readonly RelayRecord[]): Promise<RelayResult> {
    const pending = records.flatMap((record) =>
      record.detail !== undefined && shouldPublish(record.detail.type) ? [{ sequenceNumber: record.sequenceNumber, entry: toEntry(record.detail) }] : [],
    );
    let failing = pending;
    for (let attempt = 0; attempt < maxAttempts && failing.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 50 * 2 ** attempt) * Math.random());
      const stillFailing: typeof pending = [];
      for (let start = 0; start < failing.length; start += ENTRIES_PER_CALL) {
        const chunk = failing.slice(start, start + ENTRIES_PER_CALL);
        const failed = await publisher.putEntries(chunk.map(({ entry }) => entry)).catch((error: unknown) => {
          onCallFailed(error);
          return chunk.map((_, index) => index);
        });
        for (const index of failed) {
          const item = chunk[index];
          if (item !== undefined) stillFailing.push(item);
        }
      }
      failing = stillFailing;
    }
    return { batchItemFailures: failing.map(({ sequenceNumber }) => ({ itemIdentifier: sequenceNumber })) };
  };
}

function toEntry(detail: PublishedDetail): BusEntry {
  return { source: EVENT_SOURCE, detailType: detail.type, detail: JSON.stringify(detail), time: new Date(detail.receivedAt) };
}
