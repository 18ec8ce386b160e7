import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseJsonLine } from '#shared/json-line.ts';

const EmfLineSchema = z.looseObject({
  _aws: z.object({ CloudWatchMetrics: z.array(z.object({ Metrics: z.array(z.object({ Name: z.string(), Unit: z.string().optional() })) })) }),
});

/**
 * `GET /v1/metrics` locally: the counters of the EMF lines the metrics observer wrote, in
 * Prometheus text format (counts as counters, durations as summaries with sum and count), all of
 * them or one tenant's. The bus
 * delivers at least once, so a line for a (tenant, runId, seq, metric) already counted is a repeat
 * delivery and is skipped: the counters equal a count of the stored events.
 */
export function prometheusFromEmf(file: string, options: { tenant?: string } = {}): string {
  const series = new Map<string, { kind: 'counter' | 'summary'; value: number; count: number }>();
  const counted = new Set<string>();
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const parsed = EmfLineSchema.safeParse(parseJsonLine(line));
    if (!parsed.success) continue;
    const record = parsed.data;
    // Scoped to one tenant: lines of other tenants, and lines that name none, are not theirs to see.
    if (options.tenant !== undefined && record.tenant !== options.tenant) continue;
    for (const { Name, Unit } of record._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics)) {
      const value = record[Name];
      if (typeof value !== 'number') continue;
      const { tenant, runId, seq } = record;
      // Lines written before runId and seq were recorded cannot be told apart: they all count.
      if (typeof runId === 'string' && typeof seq === 'string') {
        const key = JSON.stringify([tenant, runId, seq, Name]);
        if (counted.has(key)) continue;
        counted.add(key);
      }
      const labels = ['tenant', 'type', 'status']
        .filter((label) => typeof record[label] === 'string')
        .map((label) => `${label}="${String(record[label]).replace(/["\\\n]/g, '_')}"`)
        .join(',');
      const kind = Unit === 'Milliseconds' ? 'summary' : 'counter';
      const key = `${metricName(Name, kind)}{${labels}}`;
      const current = series.get(key) ?? { kind, value: 0, count: 0 };
      series.set(key, { kind, value: current.value + value, count: current.count + 1 });
    }
  }
  const out: string[] = [];
  const typed = new Set<string>();
  for (const [key, { kind, value, count }] of [...series].sort(([a], [b]) => a.localeCompare(b))) {
    const name = key.slice(0, key.indexOf('{'));
    const labels = key.slice(key.indexOf('{'));
    if (!typed.has(name)) {
      out.push(`# TYPE ${name} ${kind}`);
      typed.add(name);
    }
    if (kind === 'counter') out.push(`${name}${labels} ${value}`);
    else out.push(`${name}_sum${labels} ${value}`, `${name}_count${labels} ${count}`);
  }
  return `${out.join('\n')}\n`;
}

function metricName(name: string, kind: 'counter' | 'summary'): string {
  const snake = name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return kind === 'counter' ? `runledger_${snake}_total` : `runledger_${snake}_ms`;
}

