import type { RunLedgerBusEvent } from '../bus/published-event.ts';
import { terminalStatusOf } from '../run/status.ts';

export type MetricPoint = {
  readonly name: 'Events' | 'RunsFinished' | 'RunDuration' | 'TaskDuration' | 'TaskRetries';
  readonly unit: 'Count' | 'Milliseconds';
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
  /**
   * Which event the point counts (runId and seq: properties, not dimensions), so a reader of the
   * lines can drop a repeat delivery by (tenant, runId, seq, metric).
   */
  readonly properties: { readonly runId: string; readonly seq: number };
};

/**
 * What one event counts for, per tenant: events by type, runs finished by status (failure rate is
 * failed / all finished), run duration, task duration and retries. (RQC's Prometheus listener:
 * request counter by status and a duration histogram; AntFlow's get_stats.)
 */
export function metricsFor(event: RunLedgerBusEvent, runDurationMs?: number): MetricPoint[] {
  const { detail } = event;
  const tenant = detail.tenant;
  const properties = { runId: detail.runId, seq: detail.seq };
  const points: MetricPoint[] = [{ name: 'Events', unit: 'Count', value: 1, dimensions: { tenant, type: detail.type }, properties }];
  const finished = terminalStatusOf(detail.type);
  if (finished !== undefined) {
    points.push({ name: 'RunsFinished', unit: 'Count', value: 1, dimensions: { tenant, status: finished }, properties });
    if (runDurationMs !== undefined) points.push({ name: 'RunDuration', unit: 'Milliseconds', value: runDurationMs, dimensions: { tenant }, properties });
  }
  if ((detail.type === 'task.completed' || detail.type === 'task.failed') && detail.payload.durationMs !== undefined) {
    points.push({ name: 'TaskDuration', unit: 'Milliseconds', value: detail.payload.durationMs, dimensions: { tenant }, properties });
  }
  if (detail.type === 'task.retrying') points.push({ name: 'TaskRetries', unit: 'Count', value: 1, dimensions: { tenant }, properties });
  return points;
}
