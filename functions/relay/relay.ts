import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventsFromStream } from '#adapters/dynamodb/stream-records.ts';
import { makeRelay } from '#shared/relay/make-relay.ts';
import type { Root } from '../runtime/compose.ts';
import { publisherOf, publishFilterOf } from '../runtime/parts/publishing.ts';

/**
 * Fed by the events table's stream: publishes new events to the bus and reports the records it
 * could not publish, so the stream delivers them again (ReportBatchItemFailures).
 */
export function makeRelayHandler(root: Root) {
  const { logger } = root;
  const relay = makeRelay({
    publisher: publisherOf(root),
    shouldPublish: publishFilterOf(root),
    onCallFailed: (error) => logger.warn('PutEvents call failed; retrying its entries', { error }),
  });
  return async function relayHandler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
    const result = await relay(eventsFromStream(event.Records));
    if (result.batchItemFailures.length > 0) logger.error('events not published; the stream will retry them', { count: result.batchItemFailures.length });
    return result;
  };
}
