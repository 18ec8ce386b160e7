import { randomBytes } from 'node:crypto';
import protobuf from 'protobufjs';
import descriptor from '../functions/ingest-traces/otlp-trace-descriptor.json' with { type: 'json' };
import type { CapacityMeter } from './capacity-meter.ts';

const ExportRequest = protobuf.Root.fromJSON(descriptor).lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

/** The SDKs' default batch (BatchSpanProcessor maxExportBatchSize). */
export const OTLP_BATCH = 512;
/** Spans per trace in a benchmark export: an agent span, chats and tool calls. 16 traces make a batch. */
const SPANS_PER_TRACE = 32;

const attribute = (key: string, value: string | number) => ({ key, value: typeof value === 'string' ? { stringValue: value } : { intValue: value } });

/** One export of OTLP_BATCH GenAI spans in protobuf, as the http/protobuf exporter sends it: whole traces of an agent span, chats and tool calls. */
function makeExport(startNanos: bigint): Uint8Array {
  const spans = [];
  for (let trace = 0; trace < OTLP_BATCH / SPANS_PER_TRACE; trace++) {
    const traceId = randomBytes(16);
    const rootId = randomBytes(8);
    for (let index = 0; index < SPANS_PER_TRACE; index++) {
      const isRoot = index === 0;
      const isChat = index % 2 === 1;
      const start = startNanos + BigInt(index) * 1_000_000n;
      spans.push({
        traceId,
        spanId: isRoot ? rootId : randomBytes(8),
        ...(isRoot ? {} : { parentSpanId: rootId }),
        name: isRoot ? 'invoke_agent support' : isChat ? 'chat gpt-5' : 'execute_tool search',
        kind: isChat ? 3 : 1,
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + 500_000_000n).toString(),
        attributes: isRoot
          ? [attribute('gen_ai.operation.name', 'invoke_agent'), attribute('gen_ai.agent.name', 'support')]
          : isChat
            ? [attribute('gen_ai.operation.name', 'chat'), attribute('gen_ai.request.model', 'gpt-5'), attribute('gen_ai.usage.input_tokens', 1200), attribute('gen_ai.usage.output_tokens', 300)]
            : [attribute('gen_ai.operation.name', 'execute_tool'), attribute('gen_ai.tool.name', 'search'), attribute('gen_ai.tool.call.id', `call-${index}`)],
      });
    }
  }
  const resource = { attributes: [attribute('service.name', 'support-agent'), attribute('telemetry.sdk.language', 'nodejs'), attribute('telemetry.sdk.name', 'opentelemetry'), attribute('telemetry.sdk.version', '2.12.1')] };
  return ExportRequest.encode(ExportRequest.fromObject({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'bench', version: '1' }, spans }] }] })).finish();
}

export type OtlpBenchRow = { spansPerSecond: number; p50Ms: number; writeUnitsPerSpan: number; readUnitsPerSpan: number; eventsPerSpan: number; busEntriesPerSpan: number; costPerMillionSpans: number };

/**
 * Spans per second through POST /v1/traces at the SDK's default batch, with `clients` exporters at
 * once (each its own traces), and the write units and bus entries a span costs (a metered pass).
 */
export async function measureOtlp(options: {
  url: string;
  apiKey: string;
  /** The stack's log so far, to show with an unexpected answer. */
  output: () => string;
  meter: CapacityMeter;
  clients: number;
  exportsPerClient: number;
  quietBus: () => Promise<number>;
  entriesSince: (before: number, expected: number) => Promise<number>;
}): Promise<OtlpBenchRow> {
  const send = async (body: Uint8Array) => {
    const response = await fetch(`${options.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/x-protobuf' }, body });
    if (response.status !== 200) throw new Error(`/v1/traces answered ${response.status}: ${await response.text()}\n${options.output().slice(-3000)}`);
    await response.arrayBuffer();
  };
  const now = BigInt(Date.now()) * 1_000_000n;
  await send(makeExport(now)); // warm-up: imports, JIT, connections

  // Metered pass: one export per client.
  options.meter.enabled = true;
  const busBefore = await options.quietBus();
  const metered = Array.from({ length: options.clients }, () => makeExport(now));
  options.meter.reset();
  await Promise.all(metered.map(send));
  const capacity = options.meter.reset();
  const meteredSpans = options.clients * OTLP_BATCH;
  // Events per span in these exports: a start and an end each (no span events).
  const eventsPerSpan = 2;
  const busEntries = await options.entriesSince(busBefore, meteredSpans * eventsPerSpan);

  // Timed pass: the proxy only pipes bytes.
  options.meter.enabled = false;
  await options.quietBus();
  const bodies = Array.from({ length: options.clients }, () => Array.from({ length: options.exportsPerClient }, () => makeExport(now)));
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    bodies.map(async (exports) => {
      for (const body of exports) {
        const sent = performance.now();
        await send(body);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);

  const writeUnitsPerSpan = capacity.computedWriteUnits / meteredSpans;
  const readUnitsPerSpan = capacity.reportedReadUnits / meteredSpans;
  const busEntriesPerSpan = busEntries / meteredSpans;
  const requestsPerMillion = 1_000_000 / OTLP_BATCH;
  const costPerMillionSpans = writeUnitsPerSpan * 0.625 + readUnitsPerSpan * 0.125 + (requestsPerMillion * (3.5 + 0.2)) / 1e6 + busEntriesPerSpan * 1.0;
  return {
    spansPerSecond: (options.clients * options.exportsPerClient * OTLP_BATCH) / seconds,
    p50Ms: latencies[Math.floor(latencies.length / 2)] ?? 0,
    writeUnitsPerSpan,
    readUnitsPerSpan,
    eventsPerSpan,
    busEntriesPerSpan,
    costPerMillionSpans,
  };
}
