import { describe, expect, it } from 'vitest';
import type { RunEvent, StoredEvent } from '#shared/contract/event.ts';
import { foldEvents, newRunState } from '#shared/run/run-state.ts';
import { toRunSummary } from '#shared/run/run-summary.ts';

// What OTLP traces do to a run (spans arrive when they end, so a root span comes after its
// children): the summary must not depend on the order the events were sequenced in.

const at = (second: number) => `2026-11-23T10:00:${String(second).padStart(2, '0')}.000Z`;

function event(eventId: string, type: string, second: number, payload?: Record<string, unknown>): RunEvent {
  return { eventId, runId: 'r', type, occurredAt: at(second), ...(payload ? { payload } : {}) } as RunEvent;
}

/** The events stored in the given order, seqs 1, 2, 3... as server sequencing gives them. */
function summaryOf(events: RunEvent[]) {
  const stored: StoredEvent[] = events.map((raw, index) => ({ ...raw, seq: index + 1, receivedAt: at(59) }));
  return toRunSummary(foldEvents(newRunState('r', 'server', at(0)), stored, at(59)));
}

const chat = [
  event('c:start', 'task.started', 2, { taskId: 'c', name: 'chat' }),
  event('c:end', 'task.completed', 4, { taskId: 'c', name: 'chat', usage: { inputTokens: 100, outputTokens: 20 } }),
];
const tool = [
  event('t:start', 'task.started', 5, { taskId: 't', name: 'tool' }),
  event('t:end', 'task.failed', 6, { taskId: 't', error: { message: 'no' }, usage: { inputTokens: 1 } }),
];
const root = [event('r:start', 'run.started', 1), event('r:end', 'run.completed', 10, { title: 'agent', usage: { outputTokens: 5 } })];

describe('a run whose root arrives after its tasks', () => {
  const inOrder = summaryOf([root[0], ...chat, ...tool, root[1]].filter((e) => e !== undefined));
  const rootLast = summaryOf([...tool, ...chat, ...root]);

  it('starts at its run.started, not at the first task sequenced before it', () => {
    expect(rootLast).toMatchObject({ startedAt: at(1), endedAt: at(10), durationMs: 9000 });
  });

  it('gives the same status, task counts, usage and title as the same events in time order', () => {
    const view = ({ status, startedAt, endedAt, durationMs, tasks, usage, title, error }: typeof inOrder) => ({ status, startedAt, endedAt, durationMs, tasks, usage, title, error });
    expect(view(rootLast)).toEqual(view(inOrder));
  });

  it('adds the tasks\' usage to what run.completed reports', () => {
    expect(rootLast.usage).toEqual({ inputTokens: 101, outputTokens: 25 });
  });

  it('starts at the first activity when there is no run.started at all (as before)', () => {
    expect(summaryOf([...chat]).startedAt).toBe(at(2));
  });

  it('keeps a failed run\'s title and usage', () => {
    const failed = summaryOf([...chat, event('r:start', 'run.started', 1), event('r:end', 'run.failed', 10, { error: { message: 'gave up' }, title: 'agent', usage: { outputTokens: 5 } })]);
    expect(failed).toMatchObject({ status: 'failed', title: 'agent', usage: { inputTokens: 100, outputTokens: 25 }, error: { message: 'gave up' } });
  });

  it('counts a task\'s usage once when its end event is stored twice', () => {
    const twice = summaryOf([...chat, chat[1] ?? event('x', 'run.heartbeat', 0)]);
    expect(twice.usage).toEqual({ inputTokens: 100, outputTokens: 20 });
  });
});
