import { parseBusEvent } from '#shared/bus/published-event.ts';
import { metricsFor } from '#shared/observers/metrics.ts';
import { toRunSummary } from '#shared/run/run-summary.ts';
import { terminalStatusOf } from '#shared/run/status.ts';
import type { Root } from '../runtime/compose.ts';
import { metricsEmitterOf } from '../runtime/parts/metrics.ts';
import { eventStoreOf } from '../runtime/parts/stores.ts';

/** EventBridge target (optional observer): CloudWatch metrics per tenant from every event but tokens. */
export function makeMetricsObserverHandler(root: Root) {
  const eventStore = eventStoreOf(root);
  const emit = metricsEmitterOf(root);
  return async function metricsObserver(input: unknown): Promise<void> {
    const event = parseBusEvent(input);
    let durationMs: number | undefined;
    if (terminalStatusOf(event.detail.type) !== undefined) {
      const state = await eventStore.getRun(event.detail.tenant, event.detail.runId);
      durationMs = state === undefined ? undefined : (toRunSummary(state).durationMs ?? undefined);
    }
    emit(metricsFor(event, durationMs));
  };
}
