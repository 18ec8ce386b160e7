import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock, type EventStore } from '../ports.ts';
import { heldThrough } from '../run/seq-ranges.ts';
import { eventFrame, HEARTBEAT_FRAME } from './sse.ts';

export type FollowSettings = {
  /** How often the run is read for new events. */
  readonly pollMs: number;
  /** A comment goes out when nothing else has for this long. */
  readonly heartbeatMs: number;
  /**
   * How long a finished run's stream waits for a missing producer seq below the terminal event
   * before sending what it holds (the producer's last batches may land after its terminal event).
   */
  readonly gapGraceMs: number;
  /** The stream closes after this long (Lambda's 15-minute limit); the client resumes after its last id. */
  readonly maxStreamMs: number;
};

export type FollowEnd = 'terminal' | 'client-closed' | 'time-limit';

const PAGE_SIZE = 100;

/**
 * Follows one run as a stream of SSE frames, starting after `afterSeq`.
 *
 * It sends events strictly in seq order and never past a hole: a reader that resumes after seq N
 * must never miss a lower seq that lands later (producer-sequenced runs can receive seq 7 before
 * seq 6). The run state's held seqs say how far is safe; they only count events already stored.
 * It ends right after the run's terminal event.
 */
export function makeFollowRun({ store, clock = systemClock, wait = waitFor }: { store: EventStore; clock?: Clock; wait?: (ms: number, signal: AbortSignal) => Promise<void> }) {
  const now = () => clock.now().getTime();
  return async function followRun(request: {
    tenant: string;
    runId: string;
    afterSeq: number;
    settings: FollowSettings;
    send: (frame: string) => Promise<void>;
    signal: AbortSignal;
  }): Promise<FollowEnd> {
    const { tenant, runId, settings, send, signal } = request;
    const openedAt = now();
    let cursor = request.afterSeq;
    let lastSentAt = openedAt;
    let holeSeenAt: number | undefined;

    while (!signal.aborted) {
      const state = await store.getRun(tenant, runId);
      const terminalSeq = state?.terminal?.seq;
      if (terminalSeq !== undefined && cursor >= terminalSeq) return 'terminal';

      let safeThrough = heldThrough(state?.seqs ?? [], cursor);
      if (terminalSeq !== undefined && safeThrough < terminalSeq) {
        holeSeenAt ??= now();
        if (now() - holeSeenAt >= settings.gapGraceMs) safeThrough = terminalSeq;
      }

      while (cursor < safeThrough && !signal.aborted) {
        const events = await store.listEvents(tenant, runId, { afterSeq: cursor, limit: Math.min(PAGE_SIZE, safeThrough - cursor) });
        for (const event of events) {
          if (event.seq > safeThrough) break;
          await send(eventFrame(event));
          cursor = event.seq;
          lastSentAt = now();
          if (event.seq === terminalSeq) return 'terminal';
        }
        if (events.length === 0) break;
      }

      if (signal.aborted) break;
      if (now() - openedAt >= settings.maxStreamMs) return 'time-limit';
      if (now() - lastSentAt >= settings.heartbeatMs) {
        await send(HEARTBEAT_FRAME);
        lastSentAt = now();
      }
      await wait(settings.pollMs, signal);
    }
    return 'client-closed';
  };
}

export type FollowRun = ReturnType<typeof makeFollowRun>;

async function waitFor(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted: the loop sees signal.aborted and stops.
  }
}
