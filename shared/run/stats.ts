import { eventCountOf, runStatusOf, type RunState } from './run-state.ts';
import { RUN_STATUSES, type RunStatus } from './status.ts';

export type RunStats = Record<RunStatus, number>;

export function emptyStats(): RunStats {
  return Object.fromEntries(RUN_STATUSES.map((status) => [status, 0])) as RunStats;
}

/** The status a run counts under in the tenant's stats: none until it holds an event. */
export function countedStatus(state: RunState | undefined): RunStatus | undefined {
  return state === undefined || eventCountOf(state) === 0 ? undefined : runStatusOf(state);
}

/** How a write moves the tenant's counts: -1 for the status left, +1 for the one entered; undefined when none. */
export function statsDelta(before: RunState | undefined, after: RunState): Partial<RunStats> | undefined {
  const from = countedStatus(before);
  const to = countedStatus(after);
  if (from === to) return undefined;
  const delta: Partial<RunStats> = {};
  if (from !== undefined) delta[from] = -1;
  if (to !== undefined) delta[to] = (delta[to] ?? 0) + 1;
  return delta;
}
