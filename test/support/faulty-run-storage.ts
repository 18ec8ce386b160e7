import type { RunStorage } from '#shared/ports.ts';
import type { RunState } from '#shared/run/run-state.ts';

/** A summary write that claims seqs: a server-sequenced claim with a lease, or more producer seqs reserved. */
function isClaim(state: RunState, previous: RunState | undefined): boolean {
  if (state.mode === 'producer') return state.reserved.length > (previous?.reserved.length ?? 0);
  return state.claim !== undefined && state.claim.leaseUntil !== 0;
}

/** What a crashed writer's process would have thrown: nothing after it runs. */
export class WriterCrashError extends Error {
  override readonly name = 'WriterCrashError';
}

/** Where the writer stops: after its claim landed, halfway through its items, or after all its items. */
export type CrashPoint = 'after-claim' | 'mid-items' | 'after-items';

/**
 * A run storage that crashes or pauses its writer between the append's primitives: a crash lets the
 * step before it land and then throws (the process died); a pause holds the writer at that point
 * until `release()` (a stalled Lambda whose lease runs out). `mid-items` writes every guard but only
 * the events at even positions, so holes sit between events that landed.
 */
export function faultyRunStorage(inner: RunStorage, fault: { crashAt: CrashPoint } | { pauseAfterClaim: true }) {
  let claims = 0;
  let paused: () => void = () => undefined;
  let release: () => void = () => undefined;
  const reachedPause = new Promise<void>((resolve) => {
    paused = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const crashAt = 'crashAt' in fault ? fault.crashAt : undefined;
  const storage: RunStorage = {
    loadRun: (tenant, runId, fresh) => inner.loadRun(tenant, runId, fresh),
    readGuards: (tenant, runId, eventIds) => inner.readGuards(tenant, runId, eventIds),
    readEvents: (tenant, runId, seqs) => inner.readEvents(tenant, runId, seqs),
    async writeRun(tenant, state, previous) {
      const version = await inner.writeRun(tenant, state, previous);
      if (version !== undefined && isClaim(state, previous?.state) && claims++ === 0) {
        if (crashAt === 'after-claim') throw new WriterCrashError('crashed after the claim');
        if (!('crashAt' in fault)) {
          paused();
          await gate;
        }
      }
      return version;
    },
    async writeItems(tenant, runId, guards, events) {
      if (crashAt === 'mid-items') {
        await inner.writeItems(tenant, runId, guards, events.filter((_, position) => position % 2 === 0));
        throw new WriterCrashError('crashed halfway through its items');
      }
      const result = await inner.writeItems(tenant, runId, guards, events);
      if (crashAt === 'after-items') throw new WriterCrashError('crashed after its items');
      return result;
    },
  };
  return { storage, reachedPause, release };
}
