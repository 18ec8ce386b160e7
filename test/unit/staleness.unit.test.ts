import { describe, expect, it } from 'vitest';
import type { RunEvent, StoredEvent } from '#shared/contract/event.ts';
import { foldEvents, newRunState, type RunState } from '#shared/run/run-state.ts';
import { toRunSummary } from '#shared/run/run-summary.ts';
import { DEFAULT_STALE_POLICY, stalenessOf, timedOutAtOf } from '#shared/run/staleness.ts';

// The producer's clock is a week behind the server's: the gap that gave a timed-out run a
// durationMs of days when the detector dated its event on the server's clock.
const PRODUCER = '2026-11-23T10:00:';
const SERVER_NOW = '2026-11-30T10:00:00.000Z';

function stored(seq: number, type: string, second: number, payload?: Record<string, unknown>): StoredEvent {
  const event = { eventId: `e${seq}`, runId: 'r', type, occurredAt: `${PRODUCER}${String(second).padStart(2, '0')}Z`, ...(payload ? { payload } : {}) } as RunEvent;
  return { ...event, seq, receivedAt: SERVER_NOW };
}

function given(events: StoredEvent[]): RunState {
  return foldEvents(newRunState('r', 'server', SERVER_NOW), events, SERVER_NOW);
}

/** What the detector appends, folded in: the run's summary after it timed out. */
function timedOut(state: RunState) {
  const staleness = stalenessOf(state, DEFAULT_STALE_POLICY);
  if (staleness === undefined) throw new Error('the run is not running');
  const at = timedOutAtOf(state, staleness);
  const event = { eventId: 'runledger.timed_out', runId: 'r', type: 'run.timed_out', occurredAt: at, seq: 99, receivedAt: SERVER_NOW } as StoredEvent;
  return { at, summary: toRunSummary(foldEvents(state, [event], SERVER_NOW)) };
}

describe('the moment a stale run timed out, on its producer’s clock', () => {
  it('is the last event plus the heartbeat timeout for a silent run, so durationMs is start to silence plus the timeout', () => {
    const state = given([stored(1, 'run.started', 0, { heartbeatTimeoutSeconds: 60 }), stored(2, 'token', 5, { text: 'a' })]);
    const { at, summary } = timedOut(state);
    expect(at).toBe('2026-11-23T10:01:05.000Z');
    expect(summary).toMatchObject({ status: 'timed_out', startedAt: `${PRODUCER}00Z`, endedAt: at, durationMs: 65_000 });
  });

  it('is the start plus the maximum duration for a run that ran too long', () => {
    const state = given([stored(1, 'run.started', 0, { maxDurationSeconds: 30, heartbeatTimeoutSeconds: 3600 }), stored(2, 'run.heartbeat', 20)]);
    const { at, summary } = timedOut(state);
    expect(at).toBe('2026-11-23T10:00:30.000Z');
    expect(summary.durationMs).toBe(30_000);
  });

  it('falls back to the server-clock deadline when the run holds no event to date it from', () => {
    const state = given([stored(1, 'run.started', 0)]);
    const staleness = stalenessOf(state, DEFAULT_STALE_POLICY);
    if (staleness === undefined) throw new Error('the run is not running');
    expect(timedOutAtOf({ ...state, last: undefined }, staleness)).toBe(new Date(staleness.deadlineMs).toISOString());
  });
});
