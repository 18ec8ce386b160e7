import { parseBusEvent } from '#shared/bus/published-event.ts';
import { makeAlertingObserver } from '#shared/observers/alerting.ts';
import type { Root } from '../runtime/compose.ts';
import { alertClaimsOf, alertSinksOf } from '../runtime/parts/alerting.ts';

/** EventBridge target: alerts once per (run, kind); a throw makes EventBridge retry, then dead-letter. */
export function makeAlertingObserverHandler(root: Root) {
  const observe = makeAlertingObserver({ claims: alertClaimsOf(root), sinks: alertSinksOf(root) });
  return async function alertingObserver(event: unknown): Promise<void> {
    const alert = await observe(parseBusEvent(event));
    if (alert !== undefined) root.logger.info('alert sent', { kind: alert.kind, runId: alert.runId, tenant: alert.tenant });
  };
}
