import { parseBusEvent } from '#shared/bus/published-event.ts';
import { makeAlertingObserver } from '#shared/observers/alerting.ts';
import type { Root } from '../runtime/compose.ts';
import { alertClaimsOf, alertSinksOf } from '../runtime/parts/alerting.ts';

/** Delivery-queue target: alerts once per (run, kind, sink); a throw makes the queue redeliver, then dead-letter. */
export function makeAlertingObserverHandler(root: Root) {
  const observe = makeAlertingObserver({
    claims: alertClaimsOf(root),
    sinks: alertSinksOf(root),
    clock: root.clock,
    leaseSeconds: root.config.RUNLEDGER_ALERT_LEASE_SECONDS,
  });
  return async function alertingObserver(event: unknown): Promise<void> {
    const alert = await observe(parseBusEvent(event));
    if (alert !== undefined) root.logger.info('alert sent', { kind: alert.kind, runId: alert.runId, tenant: alert.tenant });
  };
}
