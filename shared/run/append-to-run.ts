import { randomUUID } from 'node:crypto';
import { retryDelayMs, sleep } from '../backoff.ts';
import { BusyError } from '../errors.ts';
import type { AppendCandidate, AppendOutcome, Clock, LoadedRun, RunStorage, StoreLimits } from '../ports.ts';
import { guardsToRead, planAppend, seqsToRead } from './append-plan.ts';
import { modeConflict, modeOf } from './sequencing.ts';

export type AppendToRunOptions = {
  readonly storage: RunStorage;
  readonly clock: Clock;
  readonly limits: StoreLimits;
  /** How long a claim stays a writer's own before others may take it over (a crashed writer blocks a run at most this long). */
  readonly leaseMs: number;
  /**
   * How long one append keeps retrying against other writers before answering "busy" (429): well
   * inside API Gateway's 29 s, and longer than a lease, so a crashed claim is always taken over first.
   * @default 15_000
   */
  readonly budgetMs?: number;
};

export const DEFAULT_CLAIM_LEASE_SECONDS = 10;

/** Appends screened candidates (all server- or all producer-sequenced) to one run; outcomes by candidate index. */
export type AppendToRun = (tenant: string, runId: string, pending: readonly AppendCandidate[]) => Promise<Map<number, AppendOutcome>>;

/**
 * The append, both sequencing modes: read, plan (append-plan.ts), then claim, write, confirm. Any
 * step that finds the world moved (another writer's summary, a refused item) sends it back to
 * reading; nothing is answered before the confirm holds, so a crash at any point leaves only a
 * claim that the next writer (or the same events resent) takes over: a server-sequenced claim once
 * its lease ends, a producer-sequenced one when its events come again.
 */
export function makeAppendToRun({ storage, clock, limits, leaseMs, budgetMs = 15_000 }: AppendToRunOptions): AppendToRun {
  return async (tenant, runId, pending) => {
    if (pending.length === 0) return new Map();
    const mode = modeOf(undefined, pending);
    const token = randomUUID();
    const deadline = Date.now() + budgetMs;
    // Events this call wrote itself: if a later attempt finds them stored, they are accepted, not duplicates.
    const written = new Set<string>();
    let loaded: LoadedRun | undefined = await storage.loadRun(tenant, runId, false);
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) throw new BusyError(`too many concurrent writers on run '${runId}'; retry the request`, 1);
      if (loaded !== undefined && loaded.state.mode !== mode) {
        const runMode = loaded.state.mode;
        return new Map(pending.map((candidate) => [candidate.index, modeConflict(runId, runMode)]));
      }
      const state: LoadedRun['state'] | undefined = loaded?.state;
      const nowMs = clock.now().getTime();
      const eventIds = guardsToRead(pending);
      const guards = eventIds.length === 0 ? new Map() : await storage.readGuards(tenant, runId, eventIds);
      const seqs = seqsToRead(state, guards.values(), token, nowMs, pending);
      const stored = seqs.length === 0 ? new Map() : await storage.readEvents(tenant, runId, seqs);
      const plan = planAppend({ runId, state, candidates: pending, guards, stored, token, nowMs, leaseMs, limits });

      if (plan.kind === 'settled') return withOwnWrites(plan.outcomes, pending, written);
      if (plan.kind === 'wait') {
        await sleep(Math.max(1, Math.min(plan.untilMs - nowMs, retryDelayMs(attempt))));
        loaded = await storage.loadRun(tenant, runId, true);
        continue;
      }

      let claimedRun = loaded;
      if (plan.claimed !== undefined) {
        const claimedVersion = await storage.writeRun(tenant, plan.claimed, loaded);
        if (claimedVersion === undefined) {
          await sleep(retryDelayMs(attempt));
          loaded = await storage.loadRun(tenant, runId, true);
          continue;
        }
        claimedRun = { state: plan.claimed, version: claimedVersion };
      }
      const result = await storage.writeItems(tenant, runId, plan.guards, plan.events);
      for (const event of plan.events) if (result.written.includes(event.event.seq)) written.add(event.event.eventId);
      if (!result.complete) {
        // A paused writer's late item (or a resend's) took a slot: the claim is still ours, plan it again.
        loaded = claimedRun;
        continue;
      }
      const confirmedVersion = await storage.writeRun(tenant, plan.confirmed, claimedRun);
      if (confirmedVersion === undefined) {
        // Our lease ran out and someone took the claim over: what we wrote is theirs to confirm; read again.
        loaded = await storage.loadRun(tenant, runId, true);
        continue;
      }
      if (plan.outcomes.size === pending.length) return withOwnWrites(plan.outcomes, pending, written);
      // Some of ours sit above a hole of a crashed writer's claim: wait for it to be filled.
      await sleep(retryDelayMs(attempt));
      loaded = await storage.loadRun(tenant, runId, true);
    }
  };
}

function withOwnWrites(outcomes: ReadonlyMap<number, AppendOutcome>, pending: readonly AppendCandidate[], written: ReadonlySet<string>): Map<number, AppendOutcome> {
  const answers = new Map(outcomes);
  for (const candidate of pending) {
    const outcome = answers.get(candidate.index);
    if (outcome?.outcome === 'duplicate' && written.has(candidate.event.eventId)) answers.set(candidate.index, { outcome: 'accepted', seq: outcome.seq });
  }
  return answers;
}
