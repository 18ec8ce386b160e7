import { describe, expect, it } from 'vitest';
import { mapSpans, sequenceOrder, type MappedEvent } from '#shared/otlp/map-spans.ts';
import type { OtlpSpan } from '#shared/otlp/read-export-request.ts';

// One test per row of the mapping table in docs/opentelemetry.md, in its order.

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const ROOT = '00f067aa0ba902b7';
const CHILD = '00f067aa0ba902b8';
const NANOS = 1_796_115_600_000_000_000n; // 2026-12-01T09:00:00Z
const second = 1_000_000_000n;

function span(overrides: Partial<OtlpSpan> = {}): OtlpSpan {
  return {
    traceId: TRACE,
    spanId: ROOT,
    name: 'invoke_agent support',
    kind: 1,
    startTimeUnixNano: NANOS,
    endTimeUnixNano: NANOS + 30n * second,
    attributes: {},
    events: [],
    status: { code: 'unset' },
    resource: { 'service.name': 'agent' },
    scope: { name: 'test' },
    ...overrides,
  };
}
const child = (overrides: Partial<OtlpSpan> = {}) => span({ spanId: CHILD, parentSpanId: ROOT, name: 'chat gpt-5', startTimeUnixNano: NANOS + second, endTimeUnixNano: NANOS + 3n * second, ...overrides });
const eventsOf = (spans: OtlpSpan[]): MappedEvent[] => mapSpans(spans).flatMap(({ events }) => events);
const only = (spans: OtlpSpan[], type: string): MappedEvent => {
  const found = eventsOf(spans).filter((event) => event.type === type);
  expect(found).toHaveLength(1);
  return found[0] as MappedEvent;
};

describe('the span-to-event mapping (docs/opentelemetry.md)', () => {
  it('row 1: one run per trace, runId otel-<traceId>', () => {
    expect(new Set(eventsOf([span(), child()]).map(({ runId }) => runId))).toEqual(new Set([`otel-${TRACE}`]));
  });

  it('row 2: runledger.run_id on a span, its resource or another span of its trace in the export names the run', () => {
    expect(new Set(eventsOf([span({ attributes: { 'runledger.run_id': 'nightly-42' } }), child()]).map(({ runId }) => runId))).toEqual(new Set(['nightly-42']));
    expect(new Set(eventsOf([child({ resource: { 'runledger.run_id': 'from-resource' } })]).map(({ runId }) => runId))).toEqual(new Set(['from-resource']));
  });

  it('row 3: threadId from runledger.thread_id, else gen_ai.conversation.id (when it is a valid id)', () => {
    expect(new Set(eventsOf([span({ attributes: { 'gen_ai.conversation.id': 'conv-1' } }), child()]).map(({ threadId }) => threadId))).toEqual(new Set(['conv-1']));
    expect(only([span({ attributes: { 'gen_ai.conversation.id': 'conv-1', 'runledger.thread_id': 'thread-9' } })], 'run.started').threadId).toBe('thread-9');
    expect(only([span({ attributes: { 'gen_ai.conversation.id': 'has spaces' } })], 'run.started')).not.toHaveProperty('threadId');
  });

  it('row 4: the root span starts the run at its start time', () => {
    expect(only([span()], 'run.started')).toMatchObject({ eventId: `otel:${ROOT}:start`, occurredAt: '2026-12-01T09:00:00.000Z' });
  });

  it('row 5: a root span with status unset or ok completes the run at its end, titled by gen_ai.agent.name, with its own usage', () => {
    const completed = only([span({ status: { code: 'ok' }, attributes: { 'gen_ai.agent.name': 'support', 'gen_ai.usage.input_tokens': 10 } })], 'run.completed');
    expect(completed).toMatchObject({ eventId: `otel:${ROOT}:end`, occurredAt: '2026-12-01T09:00:30.000Z', payload: { title: 'support', usage: { inputTokens: 10 } } });
  });

  it('row 6: a root span with status error fails the run: the status message, error.type, the exception\'s stack', () => {
    const failed = only(
      [
        span({
          status: { code: 'error', message: 'gave up' },
          attributes: { 'error.type': 'GiveUp', 'gen_ai.agent.name': 'support' },
          events: [{ name: 'exception', timeUnixNano: NANOS + 29n * second, attributes: { 'exception.message': 'boom', 'exception.type': 'Error', 'exception.stacktrace': 'Error: boom\n    at agent' } }],
        }),
      ],
      'run.failed',
    );
    expect(failed.payload).toMatchObject({ error: { message: 'gave up', type: 'GiveUp', stack: 'Error: boom\n    at agent' }, title: 'support' });
    const fromException = only([span({ status: { code: 'error' }, events: [{ name: 'exception', timeUnixNano: NANOS, attributes: { 'exception.message': 'boom', 'exception.type': 'Error' } }] })], 'run.failed');
    expect(fromException.payload).toMatchObject({ error: { message: 'boom', type: 'Error' } });
  });

  it('row 7: every other span is a task: taskId the span id, name gen_ai.tool.name or the span name, stage gen_ai.operation.name', () => {
    expect(only([child({ attributes: { 'gen_ai.operation.name': 'chat' } })], 'task.started')).toMatchObject({ eventId: `otel:${CHILD}:start`, occurredAt: '2026-12-01T09:00:01.000Z', payload: { taskId: CHILD, name: 'chat gpt-5', stage: 'chat' } });
    expect(only([child({ name: 'execute_tool refund', attributes: { 'gen_ai.tool.name': 'refund' } })], 'task.completed').payload).toMatchObject({ name: 'refund' });
  });

  it('row 8: a task ends completed with durationMs and its usage, or failed with its error', () => {
    const usage = { 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300, 'gen_ai.usage.cache_read.input_tokens': 1000, 'gen_ai.usage.cache_creation.input_tokens': 5, 'gen_ai.usage.reasoning.output_tokens': 7 };
    expect(only([child({ attributes: usage })], 'task.completed')).toMatchObject({
      eventId: `otel:${CHILD}:end`,
      payload: { durationMs: 2000, usage: { inputTokens: 1200, outputTokens: 300, cacheReadInputTokens: 1000, cacheCreationInputTokens: 5, reasoningOutputTokens: 7 } },
    });
    expect(only([child({ status: { code: 'error', message: 'timed out' } })], 'task.failed').payload).toMatchObject({ durationMs: 2000, error: { message: 'timed out' } });
  });

  it('row 9: span events become custom:otel.<name> events with their attributes', () => {
    const events = eventsOf([child({ events: [{ name: 'gen_ai.choice', timeUnixNano: NANOS + 2n * second, attributes: { index: 0 } }, { name: 'weird name!', timeUnixNano: 0n, attributes: {} }] })]).filter(({ type }) => type.startsWith('custom:'));
    expect(events).toEqual([
      expect.objectContaining({ eventId: `otel:${CHILD}:event:0`, type: 'custom:otel.gen_ai.choice', occurredAt: '2026-12-01T09:00:02.000Z', payload: { spanId: CHILD, taskId: CHILD, name: 'gen_ai.choice', attributes: { index: 0 } } }),
      // No time of its own: the span's end.
      expect.objectContaining({ type: 'custom:otel.weird_name_', occurredAt: '2026-12-01T09:00:03.000Z' }),
    ]);
  });

  it('row 10: the other attributes, the resource and the scope are kept in the end event under otel', () => {
    expect(only([child({ attributes: { 'http.status_code': 502 } })], 'task.completed').payload.otel).toMatchObject({ traceId: TRACE, spanId: CHILD, parentSpanId: ROOT, kind: 1, attributes: { 'http.status_code': 502 }, resource: { 'service.name': 'agent' }, scope: { name: 'test' } });
  });

  it('row 11: the same span maps to the same events whatever else is in the export (so a retry is a duplicate)', () => {
    const alone = mapSpans([child()]);
    const together = mapSpans([span(), child(), child({ spanId: '00f067aa0ba902b9' })]);
    expect(together.find(({ spanId }) => spanId === CHILD)).toEqual(alone[0]);
  });

  it('orders events by time, a span\'s start before its events and its end at the same instant', () => {
    const instant = child({ startTimeUnixNano: NANOS, endTimeUnixNano: NANOS, events: [{ name: 'e', timeUnixNano: NANOS, attributes: {} }] });
    const sorted = eventsOf([instant]).toReversed().toSorted(sequenceOrder);
    expect(sorted.map(({ type }) => type)).toEqual(['task.started', 'custom:otel.e', 'task.completed']);
  });

  it('cuts names, titles and errors to the contract\'s limits rather than losing the span', () => {
    const long = 'x'.repeat(20_000);
    const failed = only([span({ status: { code: 'error', message: long }, attributes: { 'gen_ai.agent.name': long } })], 'run.failed');
    expect(failed.payload).toMatchObject({ title: 'x'.repeat(1024), error: { message: 'x'.repeat(8192) } });
    expect(only([child({ name: long })], 'task.started').payload).toMatchObject({ name: 'x'.repeat(256) });
  });
});
