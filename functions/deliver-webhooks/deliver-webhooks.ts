import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { parseBusEvent } from '#shared/bus/published-event.ts';
import { parseStoredEvent } from '#shared/contract/event.ts';
import { DEAD_DELIVERY_LOG_MESSAGE, type WebhookJob } from '#shared/webhooks/delivery-job.ts';
import { consumeBusQueue } from '../observer-runtime/sqs-batch.ts';
import type { Root } from '../runtime/compose.ts';
import { deliveredBatchOf, deliveryQueueOf, webhookFanOutOf, webhookJobWorkerOf } from '../runtime/parts/webhooks.ts';

/** One bus event (as the rule hands it) to a job per matching subscription. Locally the bus calls this directly. */
export function makeWebhookFanOutHandler(root: Root) {
  const fanOut = webhookFanOutOf(root);
  return async (input: unknown): Promise<void> => {
    const event = parseBusEvent(input);
    await fanOut({ source: event.source, 'detail-type': event['detail-type'], detail: event.detail });
  };
}

/** AWS: the fan-out fed by the rule's queue (all of runledger's events). */
export function makeWebhookFanOutQueueHandler(root: Root): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const fanOut = makeWebhookFanOutHandler(root);
  return consumeBusQueue((event) => fanOut(event));
}

const EventJobSchema = z.object({ tenant: z.string(), subscriptionId: z.string(), event: z.looseObject({ tenant: z.string() }), attempt: z.number().int().positive(), notBefore: z.number().optional() });
const ReplayJobSchema = z.object({
  kind: z.literal('replay'),
  tenant: z.string(),
  subscriptionId: z.string(),
  runId: z.string(),
  replayId: z.string(),
  afterSeq: z.number().int().nonnegative(),
  throughSeq: z.number().int().nonnegative(),
  attempt: z.number().int().positive(),
  step: z.number().int().nonnegative(),
  notBefore: z.number().optional(),
});

/**
 * A job read back from outside: an SQS message body here, the local queue's journal after a
 * restart. An event job's event is parsed as a stored event is; `notBefore` only comes with long SQS delays.
 */
export function parseDeliveryJob(input: unknown): { job: WebhookJob; notBefore: number | undefined } {
  const replay = ReplayJobSchema.safeParse(input);
  if (replay.success) {
    const { notBefore, ...job } = replay.data;
    return { job, notBefore };
  }
  const parsed = EventJobSchema.parse(input);
  const { tenant, ...stored } = parsed.event;
  return { job: { tenant: parsed.tenant, subscriptionId: parsed.subscriptionId, attempt: parsed.attempt, event: { ...parseStoredEvent(stored), tenant } }, notBefore: parsed.notBefore };
}

/**
 * AWS: the delivery queue's consumer. Each message is one attempt, or one slice of an ordered
 * replay (its events one after another, bounded by the slice's budget), in parallel with the
 * batch's others (each bounded by the send timeout), so a slow receiver never waits behind
 * another; a message that comes before its `notBefore` goes back with the rest of its delay. The
 * batch's successes are one ledger write per run and subscription, after the batch.
 */
export function makeDeliverWebhooksHandler(root: Root): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const work = webhookJobWorkerOf(root);
  const delivered = deliveredBatchOf(root);
  const queue = deliveryQueueOf(root);
  return async (event) => {
    const failures: Array<{ itemIdentifier: string }> = [];
    await Promise.all(
      event.Records.map(async (record) => {
        try {
          const { job, notBefore } = parseDeliveryJob(JSON.parse(record.body));
          const wait = (notBefore ?? 0) - root.clock.now().getTime();
          if (wait > 0) await queue.enqueue([{ ...job, ...{ notBefore } }], wait);
          else {
            const result = await work(job);
            const runId = 'event' in job ? job.event.runId : job.runId;
            const dead = 'dead' in result ? result.dead : result.outcome === 'dead' && 'event' in job ? [job.event.seq] : [];
            // The dead-deliveries alarm counts this line (infra/constructs/webhook-delivery.ts), once per dead event.
            for (const seq of dead) root.logger.warn(DEAD_DELIVERY_LOG_MESSAGE, { tenant: job.tenant, subscriptionId: job.subscriptionId, runId, seq });
          }
        } catch (error: unknown) {
          root.logger.error('webhook job failed to run', { error, messageId: record.messageId });
          failures.push({ itemIdentifier: record.messageId });
        }
      }),
    );
    await delivered.flush(root.clock.now());
    return { batchItemFailures: failures };
  };
}
