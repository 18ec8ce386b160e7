import { describe, expect, it } from 'vitest';
import type { RunEvent, StoredEvent } from '#shared/contract/event.ts';
import { foldEvents, newRunState } from '#shared/run/run-state.ts';
import { toRunSummary } from '#shared/run/run-summary.ts';

const at = (second: number) => `2026-11-23T10:00:${String(second).padStart(2, '0')}.000Z`;

function stored(seq: number, type: string, payload?: Record<string, unknown>): StoredEvent {
  const event = { eventId: `e${seq}`, runId: 'r', type, occurredAt: at(seq), ...(payload ? { payload } : {}) } as RunEvent;
  return { ...event, seq, receivedAt: at(seq) };
}

function given(events: StoredEvent[]) {
  return toRunSummary(foldEvents(newRunState('r', 'producer', at(0)), events, at(59)));
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

describe('run status fold', () => {
  it('is queued after run.queued alone', () => {
    expect(given([stored(1, 'run.queued')]).status).toBe('queued');
  });

  it('is running after run.started or any other activity', () => {
    expect(given([stored(1, 'run.queued'), stored(2, 'run.started')]).status).toBe('running');
    expect(given([stored(1, 'token', { text: 'a' })]).status).toBe('running');
  });

  it('ends on a terminal event with its outcome and duration', () => {
    const summary = given([stored(1, 'run.started'), stored(3, 'run.failed', { error: { message: 'boom', type: 'ValueError' } })]);
    expect(summary).toMatchObject({ status: 'failed', startedAt: at(1), endedAt: at(3), durationMs: 2000, error: { message: 'boom' } });
  });

  it('keeps the first terminal event in seq order, and stores later events without a status change', () => {
    const summary = given([
      stored(1, 'run.started'),
      stored(2, 'run.completed', { result: 'ok', usage: { inputTokens: 10 } }),
      stored(3, 'run.failed', { error: { message: 'late' } }),
      stored(4, 'run.progress', { progress: 0.1 }),
    ]);
    expect(summary).toMatchObject({ status: 'completed', result: 'ok', usage: { inputTokens: 10 }, error: null, eventCount: 4, lastSeq: 4 });
  });

  it('reaches the same summary whatever order the events arrive in', () => {
    const events = [
      stored(1, 'run.queued'),
      stored(2, 'run.started'),
      stored(3, 'task.started', { taskId: 'a' }),
      stored(4, 'task.completed', { taskId: 'a' }),
      stored(5, 'run.completed', { title: 'done' }),
    ];
    const expected = given(events);
    for (const order of permutations(events)) {
      // Fold one event at a time, as producer-sequenced events trickle in.
      let state = newRunState('r', 'producer', at(0));
      for (const event of order) state = foldEvents(state, [event], at(59));
      expect(toRunSummary(state)).toEqual(expected);
    }
    expect(expected).toMatchObject({ status: 'completed', title: 'done', tasks: { completed: 1, in_progress: 0 } });
  });

  it('counts tasks by their latest status in seq order', () => {
    const summary = given([
      stored(1, 'task.started', { taskId: 'a' }),
      stored(2, 'task.failed', { taskId: 'a', error: { message: 'x' } }),
      stored(3, 'task.retrying', { taskId: 'a', attempt: 2 }),
      stored(4, 'task.queued', { taskId: 'b' }),
      stored(5, 'task.started', { taskId: 'c' }),
      stored(6, 'task.completed', { taskId: 'c' }),
    ]);
    expect(summary.tasks).toEqual({ queued: 1, in_progress: 0, completed: 1, failed: 0, retrying: 1, cancelled: 0, timed_out: 0 });
  });

  it('ignores an event whose seq it already holds', () => {
    const once = foldEvents(newRunState('r', 'server', at(0)), [stored(1, 'run.started')], at(1));
    const twice = foldEvents(once, [stored(1, 'run.completed')], at(2));
    expect(toRunSummary(twice)).toMatchObject({ status: 'running', eventCount: 1 });
  });

  it('lists missing seqs of a producer-sequenced run', () => {
    expect(given([stored(1, 'run.started'), stored(4, 'token', { text: 'x' }), stored(7, 'token', { text: 'y' })]).missingSeqs).toEqual([2, 3, 5, 6]);
  });
});
