import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** An observer's handler as EventBridge calls it: the bus event, unchanged. */
export type BusEventHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The same observer, fed from its delivery queue (the rule's SQS target, which carries the whole
 * EventBridge event as the message body): each message is handed to the handler as EventBridge
 * would have, and the messages whose handler threw are reported as batch item failures, so only
 * those come back after the visibility timeout and, after a day, land in the dead-letter queue.
 */
export function consumeBusQueue(handle: BusEventHandler): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  return (event, context) => processPartialResponse(event, (record: SQSRecord) => handle(JSON.parse(record.body), context), processor, { context });
}
