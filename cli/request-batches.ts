import { MAX_EVENTS_PER_REQUEST, MAX_REQUEST_BYTES } from '#shared/contract/limits.ts';

/** What `{"events":[` and `]}` add to a request around its events. */
const ENVELOPE_BYTES = '{"events":[]}'.length;

/**
 * Splits events into requests the contract accepts: at most 100 events and 1 MiB each, in order.
 * An event too large for any request goes alone; the server answers it (413) and nothing else is held up.
 */
export function requestBatches<T>(events: readonly T[], limits = { maxEvents: MAX_EVENTS_PER_REQUEST, maxBytes: MAX_REQUEST_BYTES }): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event)) + 1; // + the comma
    if (batch.length > 0 && (batch.length === limits.maxEvents || bytes + size > limits.maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = ENVELOPE_BYTES;
    }
    batch.push(event);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
