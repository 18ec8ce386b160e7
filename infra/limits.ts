import { MAX_EVENT_BYTES } from '#shared/contract/limits.ts';

/**
 * How big one run can get in DynamoDB, worst case, and so how many events a run may hold.
 *
 * The events table has a local secondary index (`byTask`), and any LSI caps each partition key's
 * item collection (every table item of the key plus its LSI entries) at 10 GB; a write that would
 * pass it fails with ItemCollectionSizeLimitExceededException, and the run could take no more events.
 * A run is one partition key, so `maxEventsPerRun` must keep a run's worst case below the cap.
 * The arithmetic is here, in one pure function, so the configuration, the docs and the tests use
 * the same numbers.
 */

/** The cap, read as decimal gigabytes (10^9 bytes), the smaller of the two readings of AWS's "10 GB". */
export const ITEM_COLLECTION_LIMIT_BYTES = 10 * 1_000_000_000;

/**
 * What one run stores, as upper bounds in DynamoDB's item size (attribute names plus values;
 * adapters/dynamodb/item-codec.ts builds the items). test/unit/run-size.unit.test.ts builds the
 * largest items the contract allows with the real codec and checks they fit these bounds.
 */
export type RunItemLayout = {
  /** The largest stored event body: the serialized envelope (at most the contract's 64 KiB) plus what the store adds. */
  readonly eventBodyBytes: number;
  /** An event item's other attributes: keys, taskSeq, seq, eventId, type, hash, TTL, with their names. */
  readonly eventItemOverheadBytes: number;
  /** LSI entries per event, each a copy of the item (projection ALL) plus DynamoDB's 100-byte index overhead. */
  readonly indexEntriesPerEvent: number;
  /** Per event besides its item: the eventId guard of server-sequenced runs. */
  readonly guardItemBytes: number;
  /** Once per run: the summary item, at DynamoDB's 400 KB item maximum. */
  readonly summaryItemBytes: number;
};

/** DynamoDB adds this much to every index entry (documented in "Item sizes and formats"). */
const INDEX_ENTRY_OVERHEAD_BYTES = 100;

/** Longest ids the contract allows (shared/contract/ids.ts, payloads.ts) and a tenant id's 64. */
const MAX_ID = 128;
const MAX_TENANT = 64;
const MAX_TASK_ID_ENCODED = 256 * 12; // 256 characters, each up to 4 UTF-8 bytes, each byte %XX when encoded
const MAX_TYPE = 'custom:'.length + 64;
const MAX_NUMBER = 21; // DynamoDB stores a number in at most 21 bytes
const SEQ_KEY = 2 + 10; // `E#` + ten digits
const HASH = 22; // 128 bits of SHA-256, base64url (shared/run/event-hash.ts)
const RUN_PK = 'T#'.length + MAX_TENANT + '#R#'.length + MAX_ID;

/**
 * Raw deflate's worst case for n bytes (zlib's deflateBound with default settings): incompressible
 * input is stored in blocks with a few bytes of framing each.
 */
export function deflateBound(bytes: number): number {
  return bytes + (bytes >> 12) + (bytes >> 14) + (bytes >> 25) + 7;
}

/** The layout of this version of the table; what seq adds to a stored body (runId from the path, seq, receivedAt) fits in 256 bytes. */
export const RUN_ITEM_LAYOUT: RunItemLayout = {
  eventBodyBytes: deflateBound(MAX_EVENT_BYTES + 256),
  eventItemOverheadBytes:
    // `dense` (a boolean, 1 byte): server-sequenced event items, whose readers stop at the first gap.
    ['pk', 'sk', 'taskSeq', 'seq', 'eventId', 'type', 'hash', 'body', 'expiresAt', 'dense'].join('').length + RUN_PK + SEQ_KEY + (MAX_TASK_ID_ENCODED + 1 + 10) + MAX_NUMBER + MAX_ID + MAX_TYPE + HASH + MAX_NUMBER + 1,
  indexEntriesPerEvent: 1,
  guardItemBytes: ['pk', 'sk', 'seq', 'hash', 'expiresAt'].join('').length + RUN_PK + 2 + MAX_ID + MAX_NUMBER + HASH + MAX_NUMBER,
  summaryItemBytes: 400 * 1024,
};

/** The most one event can add to its run's item collection: its item, its index entries, its guard. */
export function worstCaseBytesPerEvent(layout: RunItemLayout = RUN_ITEM_LAYOUT): number {
  const item = layout.eventBodyBytes + layout.eventItemOverheadBytes;
  return item + layout.indexEntriesPerEvent * (item + INDEX_ENTRY_OVERHEAD_BYTES) + layout.guardItemBytes;
}

/** A run's worst-case item collection with `maxEventsPerRun` events: every event at the contract's maximum, a task event, server-sequenced. */
export function worstCaseRunBytes(maxEventsPerRun: number, layout: RunItemLayout = RUN_ITEM_LAYOUT): number {
  return layout.summaryItemBytes + maxEventsPerRun * worstCaseBytesPerEvent(layout);
}

/** The largest `maxEventsPerRun` whose worst case stays within DynamoDB's item collection cap. */
export function maxEventsPerRunWithin(limitBytes: number = ITEM_COLLECTION_LIMIT_BYTES, layout: RunItemLayout = RUN_ITEM_LAYOUT): number {
  return Math.max(0, Math.floor((limitBytes - layout.summaryItemBytes) / worstCaseBytesPerEvent(layout)));
}
