import type { StoredEvent } from '#shared/contract/event.ts';
import type { AppendCandidate, AppendOutcome, Clock, EventStore, ListEventsOptions, ListRunsQuery, RunRef, RunsPage, StoreLimits } from '#shared/ports.ts';
import { runListKey } from '#shared/run/run-summary.ts';
import { stalenessOf } from '#shared/run/staleness.ts';
import { emptyStats, statsDelta, type RunStats } from '#shared/run/stats.ts';
import { foldEvents, newRunState, runStatusOf, taskIdOf, type RunState } from '#shared/run/run-state.ts';
import {
  assignServerSeqs,
  checkProducerSeq,
  collectOutcomes,
  compareWithHeld,
  modeOf,
  screenCandidates,
  toStoredEvent,
  type HeldEvent,
} from '#shared/run/sequencing.ts';

type RunRecord = {
  tenant: string;
  state: RunState;
  events: Map<number, { stored: StoredEvent; hash: string }>;
  seqByEventId: Map<string, number>;
};

/**
 * In-memory event store for fast unit tests of domain logic. Each append runs without an await
 * between reading and writing, so it is atomic in one process; it passes the same contract suite
 * as the DynamoDB adapter.
 */
export class MemoryEventStore implements EventStore {
  readonly #runs = new Map<string, RunRecord>();
  readonly #stats = new Map<string, RunStats>();
  readonly #clock: Clock;
  readonly #limits: StoreLimits;

  constructor(options: { clock: Clock; limits: StoreLimits }) {
    this.#clock = options.clock;
    this.#limits = options.limits;
  }

  appendToRun(tenant: string, runId: string, candidates: readonly AppendCandidate[]): Promise<AppendOutcome[]> {
    const key = `${tenant}#${runId}`;
    const record = this.#runs.get(key);
    const now = this.#clock.now().toISOString();
    const mode = modeOf(record?.state, candidates);
    const { pending, settled, repeats } = screenCandidates(candidates, mode);
    const run = record ?? { tenant, state: newRunState(runId, mode, now), events: new Map(), seqByEventId: new Map() };

    const fresh: AppendCandidate[] = [];
    for (const candidate of pending) {
      const held = this.#heldFor(run, candidate, mode);
      if (held === undefined) fresh.push(candidate);
      else settled.set(candidate.index, compareWithHeld(candidate, held));
    }

    const stored: StoredEvent[] = [];
    const store = (candidate: AppendCandidate, seq: number): void => {
      const event = toStoredEvent(candidate.event, seq, now);
      run.events.set(seq, { stored: event, hash: candidate.hash });
      run.seqByEventId.set(candidate.event.eventId, seq);
      stored.push(event);
      settled.set(candidate.index, { outcome: 'accepted', seq });
    };

    if (mode === 'server') {
      for (const assignment of assignServerSeqs(run.state, fresh, this.#limits)) {
        if ('seq' in assignment) store(assignment.candidate, assignment.seq);
        else settled.set(assignment.candidate.index, assignment.rejected);
      }
    } else {
      for (const candidate of fresh) {
        const refusal = checkProducerSeq(run.state, candidate, stored.length, this.#limits);
        if (refusal !== undefined) settled.set(candidate.index, refusal);
        else store(candidate, candidate.event.seq ?? 0);
      }
    }

    if (stored.length > 0) {
      const before = record?.state;
      run.state = foldEvents(run.state, stored, now);
      this.#runs.set(key, run);
      const delta = statsDelta(before, run.state);
      if (delta !== undefined) {
        const stats = this.#stats.get(tenant) ?? emptyStats();
        for (const [status, change] of Object.entries(delta) as Array<[keyof RunStats, number]>) stats[status] += change;
        this.#stats.set(tenant, stats);
      }
    }
    return Promise.resolve(collectOutcomes(candidates, settled, repeats));
  }

  #heldFor(run: RunRecord, candidate: AppendCandidate, mode: 'server' | 'producer'): HeldEvent | undefined {
    const seq = mode === 'server' ? run.seqByEventId.get(candidate.event.eventId) : candidate.event.seq;
    const held = seq === undefined ? undefined : run.events.get(seq);
    return held === undefined ? undefined : { eventId: held.stored.eventId, hash: held.hash, seq: held.stored.seq };
  }

  getStats(tenant: string): Promise<RunStats> {
    return Promise.resolve({ ...(this.#stats.get(tenant) ?? emptyStats()) });
  }

  getRun(tenant: string, runId: string): Promise<RunState | undefined> {
    return Promise.resolve(this.#runs.get(`${tenant}#${runId}`)?.state);
  }

  async listTaskEvents(tenant: string, runId: string, taskId: string, { afterSeq, limit }: ListEventsOptions): Promise<StoredEvent[]> {
    const all = await this.listEvents(tenant, runId, { afterSeq, limit: Number.MAX_SAFE_INTEGER });
    return all.filter((event) => taskIdOf(event) === taskId).slice(0, limit);
  }

  listEvents(tenant: string, runId: string, { afterSeq, limit }: ListEventsOptions): Promise<StoredEvent[]> {
    const events = [...(this.#runs.get(`${tenant}#${runId}`)?.events.values() ?? [])]
      .map(({ stored }) => stored)
      .filter((event) => event.seq > afterSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit);
    return Promise.resolve(events);
  }

  listRuns(tenant: string, { status, threadId, limit, before }: ListRunsQuery): Promise<RunsPage> {
    const matching = [...this.#runs.values()]
      .filter((run) => run.tenant === tenant && run.state.seqs.length > 0)
      .map((run) => ({ state: run.state, key: runListKey(run.state) }))
      .filter(({ state, key }) => (status === undefined || runStatusOf(state) === status) && (threadId === undefined || state.threadId === threadId) && (before === undefined || key < before))
      .sort((a, b) => (a.key < b.key ? 1 : -1));
    const page = matching.slice(0, limit);
    return Promise.resolve({ runs: page.map(({ state }) => state), nextBefore: matching.length > limit ? (page.at(-1)?.key ?? null) : null });
  }

  listStaleRuns(now: Date, limit: number): Promise<RunRef[]> {
    const stale = [...this.#runs.values()].filter((run) => {
      const staleness = stalenessOf(run.state, this.#limits.stalePolicy);
      return staleness !== undefined && staleness.deadlineMs <= now.getTime();
    });
    return Promise.resolve(stale.slice(0, limit).map((run) => ({ tenant: run.tenant, runId: run.state.runId })));
  }
}
