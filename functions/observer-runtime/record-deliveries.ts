import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbDeliveryLedger } from '#adapters/dynamodb/dynamodb-delivery-ledger.ts';
import { SqsDeliveredQueue } from '#adapters/sqs/sqs-delivered-queue.ts';
import { parseBusEvent } from '#shared/bus/published-event.ts';
import { DeliveredBatch } from '#shared/webhooks/delivered-batch.ts';
import type { DeliveredEntry, DeliveredQueue, DeliveryLedger, LedgerKey } from '#shared/webhooks/ports.ts';

export type RecordDeliveriesOptions = {
  /** The observer's name in the ledger (`?subscriber=`): the name given to addObserver. */
  readonly name: string;
  /** @default the events table named by RUNLEDGER_TABLE_NAME (addObserver sets it and grants the ledger items) */
  readonly ledger?: DeliveryLedger;
  /**
   * Successes are added here instead of written at the end of each invocation (the local stack's
   * batch, flushed on a timer). @default one write per invocation, per run
   */
  readonly batch?: DeliveredBatch;
  /**
   * Successes go here as one message per invocation instead of a ledger write (failures are still
   * written directly, one by one); if the send fails they are written directly after all. Not used
   * with `batch`.
   * @default the ledger queue named by RUNLEDGER_LEDGER_QUEUE_URL (addObserver sets it and grants sqs:SendMessage); none without it
   */
  readonly queue?: DeliveredQueue;
};

/**
 * A middy middleware, typed structurally so the package's types need neither middy's nor
 * aws-lambda's: `middy(handler).use(recordDeliveries(...))` accepts it.
 */
export type RecordDeliveriesMiddleware = {
  after: (request: { event: unknown; response: unknown }) => Promise<void>;
  onError: (request: { event: unknown; error: unknown }) => Promise<void>;
};

type Delivery = { key: LedgerKey; seq: number; attempt: number; messageId?: string };

/** The runledger events in an invocation: one EventBridge event, or an SQS batch of them (the observer's delivery queue). */
function deliveriesOf(event: unknown, name: string): Delivery[] {
  const one = (input: unknown, attempt: number, messageId?: string): Delivery[] => {
    try {
      const { detail } = parseBusEvent(input);
      return [{ key: { tenant: detail.tenant, runId: detail.runId, subscriber: name, kind: 'observer' }, seq: detail.seq, attempt, ...(messageId === undefined ? {} : { messageId }) }];
    } catch {
      // Not a runledger event (a test invoke, another source): nothing to record.
      return [];
    }
  };
  if (typeof event === 'object' && event !== null && 'Records' in event && Array.isArray(event.Records)) {
    return event.Records.flatMap((record: unknown) => {
      if (typeof record !== 'object' || record === null || !('body' in record) || typeof record.body !== 'string') return [];
      const attributes = 'attributes' in record && typeof record.attributes === 'object' && record.attributes !== null ? record.attributes : {};
      const count = 'ApproximateReceiveCount' in attributes ? Number(attributes.ApproximateReceiveCount) : 1;
      const messageId = 'messageId' in record && typeof record.messageId === 'string' ? record.messageId : undefined;
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        return [];
      }
      return one(body, Number.isFinite(count) ? count : 1, messageId);
    });
  }
  return one(event, 1);
}

/** The message ids an SQS handler reported failed (Powertools' partial batch response). */
function failedIdsOf(response: unknown): Set<string> {
  if (typeof response !== 'object' || response === null || !('batchItemFailures' in response) || !Array.isArray(response.batchItemFailures)) return new Set();
  return new Set(
    response.batchItemFailures.flatMap((failure: unknown) =>
      typeof failure === 'object' && failure !== null && 'itemIdentifier' in failure && typeof failure.itemIdentifier === 'string' ? [failure.itemIdentifier] : [],
    ),
  );
}

/**
 * The ledger addObserver wires (RUNLEDGER_TABLE_NAME); none without it: run by the local stack from
 * runledger.config.json, the stack records the observer's deliveries itself.
 */
function defaultLedger(): DeliveryLedger | undefined {
  const tableName = process.env.RUNLEDGER_TABLE_NAME;
  if (tableName === undefined || tableName === '') return undefined;
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  return new DynamoDbDeliveryLedger({ client, tableName, retentionDays: Number(process.env.RUNLEDGER_RETENTION_DAYS ?? '30') });
}

/**
 * The ledger queue addObserver wires (RUNLEDGER_LEDGER_QUEUE_URL): in AWS an optional observer, or
 * one of your own behind its dispatcher, is invoked once per event, so a write per invocation would
 * be a write per event; a message per invocation, written by the ledger writer a thousand at a
 * time, is a small fraction of one. None without it (the local stack batches on a timer instead).
 */
function defaultQueue(): DeliveredQueue | undefined {
  const queueUrl = process.env.RUNLEDGER_LEDGER_QUEUE_URL;
  if (queueUrl === undefined || queueUrl === '') return undefined;
  return new SqsDeliveredQueue({ client: new SQSClient({}), queueUrl });
}

/**
 * `runledger/observer`'s middleware: an observer that adds `.use(recordDeliveries({ name }))`
 * shows in `GET /v1/runs/{runId}/deliveries`. Successes of one invocation are one message on the
 * ledger queue when there is one (AWS, through addObserver), else one write per run (an SQS batch
 * of 10 events of a run: a tenth of a write each); a failure is one record per event, with the
 * attempt (SQS's receive count) and the error, and the error is thrown on, so retries and dead
 * letters work as before. A ledger write that fails is logged, never the
 * observer's failure.
 */
export function recordDeliveries(options: RecordDeliveriesOptions): RecordDeliveriesMiddleware {
  let ledger = options.ledger;
  let looked = false;
  let queue = options.queue;
  const ledgerOf = (): DeliveryLedger | undefined => {
    if (!looked) {
      looked = true;
      ledger ??= defaultLedger();
      queue ??= options.batch === undefined ? defaultQueue() : undefined;
    }
    return ledger;
  };
  const logger = new Logger({ serviceName: 'runledger-observer' });
  const warn = (error: unknown) => logger.warn('the delivery ledger could not be written', { observer: options.name, error });
  /** Onto the queue; straight into the ledger when the queue refuses (the observer's work is done either way). */
  const sendOrWrite = (target: DeliveryLedger, via: DeliveredQueue) => ({
    recordDelivered: async (entries: readonly DeliveredEntry[], at: Date) => {
      try {
        await via.send(entries);
      } catch (error: unknown) {
        logger.warn('the ledger queue could not be sent to: writing the ledger directly', { observer: options.name, error });
        await target.recordDelivered(entries, at);
      }
    },
  });
  const failed = async (deliveries: Delivery[], error: unknown) => {
    const at = new Date().toISOString();
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    const target = ledgerOf();
    if (target === undefined) return;
    await Promise.all(deliveries.map(({ key, seq, attempt }) => target.recordFailure({ ...key, seq, status: 'failed', attempts: attempt, lastAttemptAt: at, lastError: message })));
  };
  return {
    after: async (request) => {
      const deliveries = deliveriesOf(request.event, options.name);
      const failedIds = failedIdsOf(request.response);
      const succeeded = deliveries.filter((delivery) => delivery.messageId === undefined || !failedIds.has(delivery.messageId));
      try {
        const target = ledgerOf();
        if (target === undefined) return;
        const batch = options.batch ?? new DeliveredBatch(queue === undefined ? target : sendOrWrite(target, queue));
        for (const { key, seq } of succeeded) batch.add(key, seq);
        if (options.batch === undefined) await batch.flush(new Date());
        await failed(
          deliveries.filter((delivery) => delivery.messageId !== undefined && failedIds.has(delivery.messageId)),
          'the observer failed on this event (batch item failure)',
        );
      } catch (error: unknown) {
        warn(error);
      }
    },
    onError: async (request) => {
      try {
        await failed(deliveriesOf(request.event, options.name), request.error);
      } catch (error: unknown) {
        warn(error);
      }
    },
  };
}
