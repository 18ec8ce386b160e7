import { parseBusEvent, type RunLedgerBusEvent } from '#shared/bus/published-event.ts';
import type { Alert, AlertSink } from '#shared/observers/alerting.ts';

const at = '2026-11-23T10:00:00Z';

/** A run.failed event as the bus delivers it. */
export function runFailedEvent(runId = 'r', tenant = 'acme'): RunLedgerBusEvent {
  return parseBusEvent({
    id: `x-${runId}`,
    source: 'runledger',
    'detail-type': 'run.failed',
    time: at,
    detail: { eventId: 'f', runId, type: 'run.failed', occurredAt: at, seq: 2, receivedAt: at, tenant, payload: { error: { message: 'disk full' } } },
  });
}

/** A sink that records what it was sent and fails its first `failures` sends. */
export function flakySink(name: string, failures = 0): AlertSink & { sent: Alert[]; attempts: number } {
  let left = failures;
  const sink = {
    name,
    sent: [] as Alert[],
    attempts: 0,
    send(alert: Alert): Promise<void> {
      sink.attempts++;
      if (left > 0) {
        left--;
        return Promise.reject(new Error(`${name} is down`));
      }
      sink.sent.push(alert);
      return Promise.resolve();
    },
  };
  return sink;
}
