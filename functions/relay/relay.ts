import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventsFromStream } from '#adapters/dynamodb/stream-records.ts';
import { makeRelay } from '#shared/relay/make-relay.ts';
import { makeReadConfirmed } from '#shared/relay/read-seq-range.ts';
import type { Root } from '../runtime/compose.ts';
import { failedPublishStoreOf, publisherOf, publishFilterOf } from '../runtime/parts/publishing.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';

/**
 * Fed by the events table's stream: publishes new events to the bus (a server-sequenced run's once
 * confirmed, read back from the table in seq order). What it still cannot publish
 * after its retries is kept in the failure store for a redrive; records it cannot even keep are
 * reported, so the stream delivers them again (ReportBatchItemFailures).
 */
export function makeRelayHandler(root: Root) {
  const { logger } = root;
  const failures = failedPublishStoreOf(root);
  const relay = makeRelay({
    publisher: publisherOf(root),
    shouldPublish: publishFilterOf(root),
    readConfirmed: makeReadConfirmed(eventStoreOf(root)),
    onReadFailed: (error) => logger.warn('could not read the events a run confirmed; the stream will retry them', { error }),
    clock: root.clock,
    onCallFailed: (error) => logger.warn('PutEvents call failed; retrying its entries', { error }),
    ...(failures === undefined ? {} : { failures }),
    onRecordFailed: (error) => logger.error('could not keep the events not published; the stream will retry them', { error }),
  });
  return async function relayHandler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
    const result = await relay(eventsFromStream(event.Records));
    if (result.batchItemFailures.length > 0) logger.error('events not published; the stream will retry them', { count: result.batchItemFailures.length });
    return result;
  };
}
