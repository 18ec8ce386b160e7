import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { context as context_, trace as trace_ } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent, LocalTarget } from '#local/bus/local-bus.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { parseBusEvent } from '#shared/bus/published-event.ts';
import { toEventPattern } from '#shared/bus/observer-filter.ts';
import type { Alert } from '#shared/observers/alerting.ts';
import { request, startTestStack } from '#test/support/http.ts';
import { CHAT_USAGE, exportSpans, makeExporter, recordAgent, recordingTracer, startAnswerDroppingProxy, succeeded, type ExporterKind } from '#test/support/otel.ts';

// The scenarios with the real OpenTelemetry JS SDK (sdk-trace-base) and both OTLP/HTTP
// exporters, against the local stack: the handler, the local gateway, DynamoDB Local, the relay
// and the built-in observers (alerting) as they run in `npm start`.

const observed: string[] = [];
const failures: LocalTarget = {
  name: 'failures',
  pattern: toEventPattern({ types: ['run.failed', 'task.failed'] }),
  required: true,
  invoke: (event: BusEvent) => {
    const { detail } = parseBusEvent(event);
    observed.push(`${detail.runId}/${detail.type}`);
    return Promise.resolve();
  },
};

let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack({ observers: [failures], ownDynamoDb: true });
});
afterAll(() => stack.stop());

type Summary = { status: string; tasks: Record<string, number>; usage: Record<string, number> | null; title: string | null; error: { message: string; type?: string; stack?: string } | null; startedAt: string; endedAt: string; durationMs: number; eventCount: number; threadId: string | null };
type Task = { taskId: string; name: string; status: string };

const getJson = async <T,>(path: string): Promise<T> => {
  const answer = await request(stack.url, 'GET', path);
  expect(answer.status, answer.text).toBe(200);
  return answer.body as T;
};
const runOf = (traceId: string) => getJson<Summary>(`/v1/runs/otel-${traceId}`);

const EXPECTED_USAGE = {
  inputTokens: CHAT_USAGE[0].input + CHAT_USAGE[1].input,
  outputTokens: CHAT_USAGE[0].output + CHAT_USAGE[1].output,
  cacheReadInputTokens: CHAT_USAGE[0].cacheRead + CHAT_USAGE[1].cacheRead,
};

function agentSpans(agentFails: boolean, conversationId?: string) {
  const recording = recordingTracer('support-agent');
  recordAgent(recording.tracer, { agentFails, ...(conversationId === undefined ? {} : { conversationId }) });
  const spans = recording.ended();
  const root = spans.find((span) => span.parentSpanContext === undefined);
  if (root === undefined) throw new Error('the scenario has no root span');
  return { spans, traceId: root.spanContext().traceId, root };
}

describe.each<ExporterKind>(['http/json', 'http/protobuf'])('the OTLP %s exporter pointed at runledger', (kind) => {
  it('turns an agent with two chats and three tool calls (one failing) into a completed run with its tasks, usage and the tool\'s error', async () => {
    const { spans, traceId } = agentSpans(false, `conv-${kind.replace('/', '-')}`);
    expect(succeeded(await exportSpans(makeExporter(kind, stack.url), spans))).toBe(true);

    expect(await runOf(traceId)).toMatchObject({
      status: 'completed',
      title: 'support',
      threadId: `conv-${kind.replace('/', '-')}`,
      tasks: { completed: 4, failed: 1, in_progress: 0 },
      usage: EXPECTED_USAGE,
      error: null,
      startedAt: '2026-12-01T09:00:00.000Z',
      endedAt: '2026-12-01T09:00:30.000Z',
      durationMs: 30_000,
    });
    const { tasks } = await getJson<{ tasks: Task[] }>(`/v1/runs/otel-${traceId}/tasks`);
    expect(tasks.map(({ name, status }) => `${name}:${status}`)).toEqual(['chat gpt-5:completed', 'lookup_order:completed', 'refund:failed', 'send_email:completed', 'chat gpt-5:completed']);
    const refund = tasks.find(({ name }) => name === 'refund');
    const history = await getJson<{ events: Array<{ type: string; payload: Record<string, unknown> }> }>(`/v1/runs/otel-${traceId}/tasks/${refund?.taskId ?? ''}`);
    expect(history.events.map(({ type }) => type)).toEqual(['task.started', 'task.failed']);
    expect(history.events[1]?.payload).toMatchObject({ name: 'refund', stage: 'execute_tool', durationMs: 1000, error: { message: 'refund service answered 502', type: 'TypeError', stack: expect.stringContaining('TypeError: refund service answered 502') } });
    const events = await getJson<{ events: Array<{ type: string; payload: Record<string, unknown> }> }>(`/v1/runs/otel-${traceId}/events?types=custom:otel.exception`);
    expect(events.events).toEqual([expect.objectContaining({ payload: expect.objectContaining({ taskId: refund?.taskId, name: 'exception', attributes: expect.objectContaining({ 'exception.type': 'TypeError' }) }) })]);
  });

  it('turns a failing agent into a failed run with its error, and alerting and the observers get the failure', async () => {
    const { spans, traceId } = agentSpans(true);
    expect(succeeded(await exportSpans(makeExporter(kind, stack.url, { compression: 'gzip' }), spans))).toBe(true);

    expect(await runOf(traceId)).toMatchObject({
      status: 'failed',
      title: 'support',
      tasks: { completed: 4, failed: 1 },
      usage: EXPECTED_USAGE,
      error: { message: 'gave up after the refund failed', type: 'Error', stack: expect.stringContaining('gave up after the refund failed') },
    });
    await stack.settled();
    const runId = `otel-${traceId}`;
    expect(observed.filter((line) => line.startsWith(`${runId}/`)).sort()).toEqual([`${runId}/run.failed`, `${runId}/task.failed`]);
    const alerts = readFileSync(join(stack.dataDir, 'alerts.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Alert).filter((alert) => alert.runId === runId);
    expect(alerts.map(({ kind, message }) => `${kind}: ${message}`).sort()).toEqual(['run.failed: gave up after the refund failed', 'task.failed: refund service answered 502']);
  });

  it('stores an export sent twice once: the second time every event is a duplicate', async () => {
    const { spans, traceId } = agentSpans(false);
    const exporter = makeExporter(kind, stack.url);
    expect(succeeded(await exportSpans(exporter, spans))).toBe(true);
    const first = await runOf(traceId);
    expect(succeeded(await exportSpans(exporter, spans))).toBe(true);
    expect(await runOf(traceId)).toEqual(expect.objectContaining({ eventCount: first.eventCount, tasks: first.tasks, usage: EXPECTED_USAGE, status: 'completed' }));
    // 6 spans: a start and an end each, and the failing tool's exception event.
    expect(first.eventCount).toBe(13);
  });

  it('stores everything once when a proxy drops the answers and the exporter retries', async () => {
    const { spans, traceId } = agentSpans(false);
    const proxy = await startAnswerDroppingProxy(stack.url, 2);
    try {
      expect(succeeded(await exportSpans(makeExporter(kind, proxy.url), spans))).toBe(true);
      expect(proxy.requests()).toBe(3);
    } finally {
      await proxy.close();
    }
    expect(await runOf(traceId)).toMatchObject({ eventCount: 13, status: 'completed', tasks: { completed: 4, failed: 1 }, usage: EXPECTED_USAGE });
  });

  it('comes out the same when the children arrive before their root, in another export', async () => {
    const { spans, traceId, root } = agentSpans(false);
    const exporter = makeExporter(kind, stack.url);
    expect(succeeded(await exportSpans(exporter, spans.filter((span) => span !== root).reverse()))).toBe(true);
    expect(await runOf(traceId)).toMatchObject({ status: 'running', tasks: { completed: 4, failed: 1 } });
    expect(succeeded(await exportSpans(exporter, [root]))).toBe(true);
    expect(await runOf(traceId)).toMatchObject({
      status: 'completed',
      title: 'support',
      tasks: { completed: 4, failed: 1 },
      usage: EXPECTED_USAGE,
      startedAt: '2026-12-01T09:00:00.000Z',
      endedAt: '2026-12-01T09:00:30.000Z',
      durationMs: 30_000,
      eventCount: 13,
    });
  });
});

describe('an export of the SDK\'s default batch', () => {
  // 512 spans are 1,024 events in 16 runs, written to DynamoDB Local in the contract's batches: a few
  // seconds alone, over 20 s on a busy 2-core machine, hence the long timeouts.
  it('takes 512 spans in one request', { timeout: 120_000 }, async () => {
    const recording = recordingTracer('batch-agent');
    for (let trace = 0; trace < 16; trace++) {
      const agent = recording.tracer.startSpan('invoke_agent batch', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
      for (let index = 0; index < 31; index++) {
        recording.tracer.startSpan(`chat ${index}`, { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 10 } }, trace_.setSpan(context_.active(), agent)).end();
      }
      agent.end();
    }
    const spans = recording.ended();
    expect(spans).toHaveLength(512);
    const result = await exportSpans(makeExporter('http/protobuf', stack.url, { timeoutMillis: 90_000 }), spans);
    expect(succeeded(result) ? 'ok' : String(result.error)).toBe('ok');
    const roots = spans.filter((span) => span.parentSpanContext === undefined);
    expect(roots).toHaveLength(16);
    for (const root of roots) expect(await runOf(root.spanContext().traceId)).toMatchObject({ status: 'completed', eventCount: 64, tasks: { completed: 31 }, usage: { inputTokens: 310 } });
  });
});
