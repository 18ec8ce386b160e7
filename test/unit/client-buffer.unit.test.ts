import { describe, expect, it, vi } from 'vitest';
import { reportingListener, reportingStatusCallback } from '#client/index.ts';
import type { RunEvent } from '#shared/contract/event.ts';
import { acceptAll, testReporter } from '#test/support/fake-ingest.ts';

const seqsAndTypes = (events: readonly RunEvent[]) => events.map((event) => [event.seq, event.type]);

describe('the bounded buffer (policy reject-new)', () => {
  it('refuses new events when full, reports each to the error callback without a seq, and still takes the run\'s end', async () => {
    const { reporter, ingest, problems } = testReporter({ maxBufferedEvents: 3 });
    const buffered = [reporter.started(), reporter.progress(0.1), reporter.token('a'), reporter.token('b'), reporter.checkpoint('c'), reporter.completed()];
    expect(buffered).toEqual([true, true, true, false, false, true]);
    expect(problems.map(({ reason, event }) => [reason, event.type, event.seq])).toEqual([
      ['buffer-full', 'token', undefined],
      ['buffer-full', 'run.checkpoint', undefined],
    ]);
    const report = await reporter.close();
    // Dropped events took no seq: the run has no gap, and its terminal event is seq 4.
    expect(ingest.requests.flatMap(seqsAndTypes)).toEqual([
      [1, 'run.started'],
      [2, 'run.progress'],
      [3, 'token'],
      [4, 'run.completed'],
    ]);
    expect(report.sent).toBe(4);
    expect(report.unsent.map(({ reason, event }) => [reason, event.type])).toEqual([
      ['buffer-full', 'token'],
      ['buffer-full', 'run.checkpoint'],
    ]);
  });

  it('counts events in flight: room comes back once the server answers', async () => {
    let answer: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (answer = resolve));
    const { reporter, ingest } = testReporter({
      maxBufferedEvents: 2,
      maxBatchSize: 2,
      script: [
        async (events) => {
          await held;
          return { status: 202, body: acceptAll(events) };
        },
      ],
    });
    reporter.token('a');
    reporter.token('b'); // a full batch: sent at once, and held by the server
    expect(reporter.token('c')).toBe(false);
    answer();
    await reporter.flush();
    expect(reporter.token('d')).toBe(true);
    const report = await reporter.close();
    expect(ingest.requests.map((events) => events.map((event) => event.payload))).toEqual([[{ text: 'a' }, { text: 'b' }], [{ text: 'd' }]]);
    expect(report.sent).toBe(3);
  });
});

describe('batching', () => {
  it('sends a batch as soon as it is full, and the rest after the flush interval', async () => {
    const { reporter, ingest } = testReporter({ maxBatchSize: 3, flushIntervalMs: 10, concurrency: 1 });
    for (let index = 0; index < 7; index++) reporter.token(`t${index}`);
    expect(ingest.requests.map((events) => events.length)).toEqual([3]);
    // Nothing else asks for a send: the interval timer does.
    await vi.waitFor(() => expect(ingest.requests.map((events) => events.length)).toEqual([3, 3, 1]));
    expect(ingest.requests.flat().map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect((await reporter.close()).sent).toBe(7);
  });
});

describe('listener-style adapters', () => {
  it('turn before/status/after-execute and create/poll phase hooks into run and task events', async () => {
    const { reporter, ingest } = testReporter();
    let clock = 1_000;
    const listener = reportingListener(reporter, { now: () => clock });
    listener.onBeforeExecute();
    listener.onPhaseStart('create');
    clock += 250;
    listener.onPhaseEnd('create');
    listener.onStatusChange('pending', 'running');
    listener.onPhaseStart('poll');
    clock += 4_000;
    listener.onPhaseEnd('poll', new Error('job vanished'));
    listener.onAfterExecute({ error: new Error('job vanished') });
    await reporter.close();
    const events = ingest.requests.flat();
    expect(events.map((event) => event.type)).toEqual(['run.started', 'task.started', 'task.completed', 'run.checkpoint', 'task.started', 'task.failed', 'run.failed']);
    expect(events[2]?.payload).toEqual({ taskId: 'create', stage: 'create', durationMs: 250 });
    expect(events[3]?.payload).toEqual({ name: 'status:running', state: { from: 'pending', to: 'running' } });
    expect(events[5]?.payload).toMatchObject({ taskId: 'poll', durationMs: 4_000, error: { message: 'job vanished', type: 'Error' } });
  });

  it('turn StatusTracker item statuses into task events', async () => {
    const { reporter, ingest } = testReporter();
    const onStatus = reportingStatusCallback(reporter);
    onStatus('item-1', 'queued');
    onStatus('item-1', 'in_progress', { attempt: 1 });
    onStatus('item-1', 'retrying', { attempt: 2, error: new Error('flaky') });
    onStatus('item-1', 'completed', { result: 42 });
    await reporter.close();
    expect(ingest.requests.flat().map((event) => [event.type, event.payload?.taskId])).toEqual([
      ['task.queued', 'item-1'],
      ['task.started', 'item-1'],
      ['task.retrying', 'item-1'],
      ['task.completed', 'item-1'],
    ]);
  });
});

describe('automatic heartbeat', () => {
  it('beats from started() until the run ends, then stops', async () => {
    const { reporter, ingest } = testReporter({ heartbeatIntervalMs: 5, flushIntervalMs: 1 });
    reporter.started();
    await vi.waitFor(() => expect(ingest.requests.flat().filter((event) => event.type === 'run.heartbeat').length).toBeGreaterThanOrEqual(2));
    reporter.completed();
    await reporter.flush();
    const sentAtEnd = ingest.requests.flat().length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ingest.requests.flat().length).toBe(sentAtEnd);
    expect(ingest.requests.flat().at(-1)?.type).toBe('run.completed');
    await reporter.close();
  });
});
