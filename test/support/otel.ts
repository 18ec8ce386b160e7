import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpHttpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ACME_KEY } from './http.ts';

export type ExporterKind = 'http/json' | 'http/protobuf';

/** What the real OTLP exporters need to send to runledger: `<base>/v1/traces` and the key as a bearer header. */
export function makeExporter(kind: ExporterKind, baseUrl: string, options: { key?: string; compression?: 'gzip'; timeoutMillis?: number } = {}) {
  const config = {
    url: `${baseUrl}/v1/traces`,
    headers: { Authorization: `Bearer ${options.key ?? ACME_KEY}` },
    timeoutMillis: options.timeoutMillis ?? 10_000,
    ...(options.compression === undefined ? {} : { compression: options.compression }),
  };
  // The exporters' option types name `CompressionAlgorithm` (an enum of 'gzip' | 'none'); the value is the same string.
  return kind === 'http/json' ? new OtlpHttpJsonExporter(config as ConstructorParameters<typeof OtlpHttpJsonExporter>[0]) : new OtlpHttpProtobufExporter(config as ConstructorParameters<typeof OtlpHttpProtobufExporter>[0]);
}

/** One export through the exporter's own send path (retries included), as its BatchSpanProcessor would call it. */
export function exportSpans(exporter: ReturnType<typeof makeExporter>, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

export const succeeded = (result: ExportResult) => result.code === ExportResultCode.SUCCESS;

/** A tracer whose ended spans are kept in memory, for a test to export as it likes. */
export function recordingTracer(serviceName: string): { tracer: Tracer; ended: () => ReadableSpan[]; shutdown: () => Promise<void> } {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': serviceName }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  return { tracer: provider.getTracer('runledger-test', '1.0.0'), ended: () => memory.getFinishedSpans(), shutdown: () => provider.shutdown() };
}

const T0 = Date.parse('2026-12-01T09:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function child(tracer: Tracer, parent: Span, name: string, attributes: Record<string, string | number>, start: number): Span {
  return tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: at(start), attributes }, trace.setSpan(context.active(), parent));
}

/** Token counts of the scenario's two chat spans: the run's usage must be their sum. */
export const CHAT_USAGE = [
  { input: 1200, output: 300, cacheRead: 1000 },
  { input: 1800, output: 450, cacheRead: 0 },
] as const;

/**
 * The agent, in the GenAI semantic conventions: `invoke_agent` (the run) with two `chat`
 * spans and three `execute_tool` spans, the second tool failing with an exception. The agent itself
 * succeeds, or (agentFails) ends with status error and an exception of its own.
 */
export function recordAgent(tracer: Tracer, options: { agentFails: boolean; conversationId?: string }): void {
  const agent = tracer.startSpan('invoke_agent support', {
    kind: SpanKind.INTERNAL,
    startTime: at(0),
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', ...(options.conversationId === undefined ? {} : { 'gen_ai.conversation.id': options.conversationId }) },
  });
  CHAT_USAGE.forEach((usage, index) => {
    const chat = child(tracer, agent, 'chat gpt-5', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-5',
      'gen_ai.usage.input_tokens': usage.input,
      'gen_ai.usage.output_tokens': usage.output,
      'gen_ai.usage.cache_read.input_tokens': usage.cacheRead,
    }, 1 + index * 10);
    chat.end(at(3 + index * 10));
  });
  ['lookup_order', 'refund', 'send_email'].forEach((tool, index) => {
    const span = child(tracer, agent, `execute_tool ${tool}`, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool, 'gen_ai.tool.call.id': `call-${index}` }, 4 + index * 2);
    if (tool === 'refund') {
      span.recordException(new TypeError('refund service answered 502'), at(5));
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'refund service answered 502' });
      span.setAttribute('error.type', 'TypeError');
    }
    span.end(at(5 + index * 2));
  });
  if (options.agentFails) {
    agent.recordException(new Error('gave up after the refund failed'), at(29));
    agent.setStatus({ code: SpanStatusCode.ERROR, message: 'gave up after the refund failed' });
  }
  agent.end(at(30));
}

/**
 * An HTTP proxy that forwards every request byte for byte and, for the first `dropAnswers`
 * requests, drops the connection once the server has answered (the server stored the export, the
 * exporter never hears so): what a load balancer timing out does, and what makes exporters retry.
 */
export async function startAnswerDroppingProxy(target: string, dropAnswers: number): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((incoming, outgoing) => {
    requests += 1;
    const drop = requests <= dropAnswers;
    const upstream = httpRequest(`${target}${incoming.url ?? '/'}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
      if (drop) {
        answer.resume();
        answer.on('end', () => outgoing.socket?.destroy());
        return;
      }
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.socket?.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
