import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricPoint } from '#shared/observers/metrics.ts';

export const METRICS_NAMESPACE = 'runledger';

/**
 * Renders metric points as CloudWatch EMF lines with Powertools Metrics (one line per point, since
 * each has its own dimensions) and hands each line to `write`: stdout in Lambda, where CloudWatch
 * turns it into metrics; a file locally.
 */
export function makeEmfWriter(write: (line: string) => void) {
  return function emit(points: readonly MetricPoint[]): void {
    for (const point of points) {
      const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'runledger-metrics' });
      metrics.addDimensions({ ...point.dimensions });
      metrics.addMetric(point.name, point.unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, point.value);
      // Properties, not dimensions: searchable in the log line, no extra metric per run.
      metrics.addMetadata('runId', point.properties.runId);
      metrics.addMetadata('seq', String(point.properties.seq));
      write(JSON.stringify(metrics.serializeMetrics()));
      metrics.clearMetrics();
    }
  };
}
