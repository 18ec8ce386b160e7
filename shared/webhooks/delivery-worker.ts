import type { Clock } from '../ports.ts';
import type { DeliveredBatch } from './delivered-batch.ts';
import type { DeliveryJob, DeliveryQueue } from './delivery-job.ts';
import { ledgerKeyOf, type DeliveryOutcome } from './deliver-webhook.ts';

/**
 * Runs one job: one attempt, a success into the batch, a failure queued again after its delay.
 * The same in Lambda (per SQS message) and locally (per job of a subscription's queue).
 */
export function makeDeliveryWorker(deps: { deliver: (job: DeliveryJob) => Promise<DeliveryOutcome>; delivered: DeliveredBatch; queue: DeliveryQueue; clock: Clock }) {
  return async (job: DeliveryJob): Promise<DeliveryOutcome> => {
    const outcome = await deps.deliver(job);
    if (outcome.outcome === 'delivered') deps.delivered.add(ledgerKeyOf(job), job.event.seq);
    if (outcome.outcome === 'retry') await deps.queue.enqueue([{ ...job, attempt: job.attempt + 1 }], outcome.delayMs);
    return outcome;
  };
}
