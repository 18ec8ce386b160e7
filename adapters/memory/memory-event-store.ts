import type { StoredEvent } from '#shared/contract/event.ts';
import type { AppendCandidate, AppendOutcome, Clock, EventStore, ListEventsOptions, ListRunsQuery, RunRef, RunStorage, RunsPage, StoreLimits } from '#shared/ports.ts';
import { DEFAULT_CLAIM_LEASE_SECONDS, makeAppendToRun, type AppendToRun } from '#shared/run/append-to-run.ts';
import { runListKey } from '#shared/run/run-summary.ts';
import { stalenessOf } from '#shared/run/staleness.ts';
import { emptyStats, type RunStats } from '#shared/run/stats.ts';
import { runStatusOf, taskIdOf, type RunState } from '#shared/run/run-state.ts';
import { collectOutcomes, modeOf, screenCandidates } from '#shared/run/sequencing.ts';
import { AppendGroups } from '#shared/run/group-appends.ts';
import { densePrefix } from '#shared/run/visible-seqs.ts';
import { MemoryRunStorage, MemoryTables } from './memory-run-storage.ts';

/**
 * In-memory event store for fast unit tests of domain logic; it passes the same contract suite as
 * the DynamoDB adapter. Appends of both sequencing modes run the same use case
 * (#shared/run/append-to-run.ts) over MemoryRunStorage, the same primitives as DynamoDB's.
 */
export class MemoryEventStore implements EventStore {
  /** Shared with peers made on the same tables (other writers in one test). */
  readonly tables: MemoryTables;
  readonly #limits: StoreLimits;
  readonly #append: AppendToRun;
  readonly #groups = new AppendGroups();

  constructor(options: { clock: Clock; limits: StoreLimits; claimLeaseSeconds?: number; wrapStorage?: (storage: RunStorage) => RunStorage; tables?: MemoryTables }) {
    this.tables = options.tables ?? new MemoryTables();
    this.#limits = options.limits;
    const storage = new MemoryRunStorage(this.tables);
    this.#append = makeAppendToRun({
      storage: options.wrapStorage?.(storage) ?? storage,
      clock: options.clock,
      limits: options.limits,
      leaseMs: (options.claimLeaseSeconds ?? DEFAULT_CLAIM_LEASE_SECONDS) * 1000,
    });
  }

  appendToRun(tenant: string, runId: string, candidates: readonly AppendCandidate[]): Promise<AppendOutcome[]> {
    return this.#groups.append(MemoryTables.key(tenant, runId), candidates, async (batch) => {
      const record = this.tables.run(tenant, runId);
      const mode = modeOf(record?.version === 0 ? undefined : record?.state, batch);
      const { pending, settled, repeats } = screenCandidates(batch, mode);
      const appended = await this.#append(tenant, runId, pending);
      for (const [index, outcome] of appended) settled.set(index, outcome);
      return collectOutcomes(batch, settled, repeats);
    });
  }

  getStats(tenant: string): Promise<RunStats> {
    return Promise.resolve({ ...(this.tables.stats.get(tenant) ?? emptyStats()) });
  }

  getRun(tenant: string, runId: string): Promise<RunState | undefined> {
    const run = this.tables.run(tenant, runId);
    return Promise.resolve(run === undefined || run.version === 0 ? undefined : run.state);
  }

  async listTaskEvents(tenant: string, runId: string, taskId: string, { afterSeq, limit }: ListEventsOptions): Promise<StoredEvent[]> {
    // The run's dense prefix bounds its task pages too (the DynamoDB adapter bounds them by the confirmed prefix: the same set once writes settle).
    const all = await this.listEvents(tenant, runId, { afterSeq: 0, limit: Number.MAX_SAFE_INTEGER });
    return all.filter((event) => event.seq > afterSeq && taskIdOf(event) === taskId).slice(0, limit);
  }

  listEvents(tenant: string, runId: string, { afterSeq, limit }: ListEventsOptions): Promise<StoredEvent[]> {
    const run = this.tables.run(tenant, runId);
    const events = [...(run?.events.values() ?? [])]
      .map(({ stored }) => stored)
      .filter((event) => event.seq > afterSeq)
      .sort((a, b) => a.seq - b.seq);
    const visible = run?.state.mode === 'server' ? densePrefix(events, afterSeq) : events;
    return Promise.resolve(visible.slice(0, limit));
  }

  listRuns(tenant: string, { status, threadId, limit, before }: ListRunsQuery): Promise<RunsPage> {
    const matching = [...this.tables.runs.values()]
      .filter((run) => run.tenant === tenant && run.state.seqs.length > 0)
      .map((run) => ({ state: run.state, key: runListKey(run.state) }))
      .filter(({ state, key }) => (status === undefined || runStatusOf(state) === status) && (threadId === undefined || state.threadId === threadId) && (before === undefined || key < before))
      .sort((a, b) => (a.key < b.key ? 1 : -1));
    const page = matching.slice(0, limit);
    return Promise.resolve({ runs: page.map(({ state }) => state), nextBefore: matching.length > limit ? (page.at(-1)?.key ?? null) : null });
  }

  listStaleRuns(now: Date, limit: number): Promise<RunRef[]> {
    const stale = [...this.tables.runs.values()].filter((run) => {
      const staleness = stalenessOf(run.state, this.#limits.stalePolicy);
      return staleness !== undefined && staleness.deadlineMs <= now.getTime();
    });
    return Promise.resolve(stale.slice(0, limit).map((run) => ({ tenant: run.tenant, runId: run.state.runId })));
  }
}
