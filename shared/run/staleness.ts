import { RUN_DEFAULTS } from '../defaults.ts';
import { runStatusOf, type RunState } from './run-state.ts';

/** When a running run counts as stale: silent too long, or running too long. */
export type StalePolicy = {
  /** No event for this long times a run out, unless its run.started payload sets its own. */
  readonly heartbeatTimeoutSeconds: number;
  /** A run running this long times out, unless its run.started payload sets its own. */
  readonly maxDurationSeconds: number;
};

export const DEFAULT_STALE_POLICY: StalePolicy = { heartbeatTimeoutSeconds: RUN_DEFAULTS.heartbeatTimeoutSeconds, maxDurationSeconds: RUN_DEFAULTS.maxRunSeconds };

export type Staleness = { readonly deadlineMs: number; readonly reason: 'heartbeat' | 'max-duration'; readonly timeoutSeconds: number };

/**
 * When a running run becomes stale, and why: the earlier of its heartbeat deadline (last event
 * received + timeout) and its duration deadline (first event received + max), both on the
 * server's clock.
 * Undefined for runs that are not running: queued and finished runs never time out.
 */
export function stalenessOf(state: RunState, policy: StalePolicy = DEFAULT_STALE_POLICY): Staleness | undefined {
  if (runStatusOf(state) !== 'running') return undefined;
  const heartbeatSeconds = state.heartbeatTimeoutSeconds ?? policy.heartbeatTimeoutSeconds;
  const maxSeconds = state.maxDurationSeconds ?? policy.maxDurationSeconds;
  const heartbeat = Date.parse(state.updatedAt) + heartbeatSeconds * 1000;
  // Measured from the run's first event as the server saw it: a producer's clock can be off.
  const duration = Date.parse(state.createdAt) + maxSeconds * 1000;
  return duration < heartbeat
    ? { deadlineMs: duration, reason: 'max-duration', timeoutSeconds: maxSeconds }
    : { deadlineMs: heartbeat, reason: 'heartbeat', timeoutSeconds: heartbeatSeconds };
}

/**
 * When the run went stale, on its producer's clock: its last event's occurredAt plus the
 * heartbeat timeout, or its start plus the maximum duration. The detector's `run.timed_out`
 * carries this as occurredAt so that the run's startedAt, endedAt and durationMs all come from one
 * clock (the server's deadline mixed with a producer's start gave durations off by the clock gap).
 * Falls back to the server-clock deadline when the run has no such event.
 */
export function timedOutAtOf(state: RunState, staleness: Staleness): string {
  const from = staleness.reason === 'heartbeat' ? state.last?.at : state.started?.at;
  const at = from === undefined ? Number.NaN : Date.parse(from) + staleness.timeoutSeconds * 1000;
  return new Date(Number.isNaN(at) ? staleness.deadlineMs : at).toISOString();
}
