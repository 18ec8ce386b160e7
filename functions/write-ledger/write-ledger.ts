import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseDeliveredMessage } from '#shared/webhooks/delivered-message.ts';
import type { DeliveredEntry } from '#shared/webhooks/ports.ts';
import type { Root } from '../runtime/compose.ts';
import { deliveryLedgerOf } from '../runtime/parts/webhooks.ts';

/**
 * The ledger queue's consumer (AWS): every message of the batch (an observer invocation's
 * successes each, up to a thousand) merged into one `recordDelivered`, which writes each
 * (run, subscriber, 128-seq block) once however many messages name it. A message that does not
 * parse is a batch item failure on its own (after its receives it rests in the dead-letter
 * queue); if the write fails, every message is retried: ADD to a set is idempotent, so blocks
 * already written are written again at the price of their units, and no seq is lost.
 */
export function makeWriteLedgerHandler(root: Root): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const ledger = deliveryLedgerOf(root);
  return async (event) => {
    const failures: Array<{ itemIdentifier: string }> = [];
    const written: string[] = [];
    const entries: DeliveredEntry[] = [];
    for (const record of event.Records) {
      try {
        entries.push(...parseDeliveredMessage(record.body));
        written.push(record.messageId);
      } catch (error: unknown) {
        root.logger.error('a ledger message could not be read', { error, messageId: record.messageId });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    try {
      await ledger.recordDelivered(entries, root.clock.now());
    } catch (error: unknown) {
      root.logger.error('the delivery ledger could not be written: the batch is retried', { error, messages: written.length });
      failures.push(...written.map((itemIdentifier) => ({ itemIdentifier })));
    }
    return { batchItemFailures: failures };
  };
}
