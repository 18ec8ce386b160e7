import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { makeEmfWriter } from '#adapters/metrics/emf-writer.ts';
import { consumeBusQueue } from '#functions/observer-runtime/sqs-batch.ts';
import { parseBusEvent } from '#shared/bus/published-event.ts';
import { metricsFor } from '#shared/observers/metrics.ts';
import { toRunSummary } from '#shared/run/run-summary.ts';
import { terminalStatusOf } from '#shared/run/status.ts';
import { getRoot } from '../runtime/root.ts';

/** Local: where EMF lines go instead of stdout. */
const metricsFile = z.string().min(1).optional().parse(process.env.RUNLEDGER_METRICS_FILE);
const { eventStore } = getRoot();
if (metricsFile !== undefined) mkdirSync(dirname(metricsFile), { recursive: true });
const emit = makeEmfWriter((line) => (metricsFile === undefined ? process.stdout.write(`${line}\n`) : appendFileSync(metricsFile, `${line}\n`)));

/** EventBridge target (optional observer): CloudWatch metrics per tenant from every event but tokens. */
export async function handler(input: unknown): Promise<void> {
  const event = parseBusEvent(input);
  let durationMs: number | undefined;
  if (terminalStatusOf(event.detail.type) !== undefined) {
    const state = await eventStore.getRun(event.detail.tenant, event.detail.runId);
    durationMs = state === undefined ? undefined : (toRunSummary(state).durationMs ?? undefined);
  }
  emit(metricsFor(event, durationMs));
}

/** Lambda's entry when the observer is required: fed by its delivery queue (infra/constructs/observer-rules.ts). */
export const sqsHandler = consumeBusQueue(handler);
