import type { StoredEvent } from '#shared/contract/event.ts';
import type { LoadedRun, RunStorage } from '#shared/ports.ts';
import type { EventWrite, GuardWrite, HeldGuard, StoredAt } from '#shared/run/append-plan.ts';
import type { RunState } from '#shared/run/run-state.ts';
import { emptyStats, statsDelta, type RunStats } from '#shared/run/stats.ts';

/** One run's items in memory: what the DynamoDB table holds under the run's partition key. */
export type MemoryRun = {
  readonly tenant: string;
  state: RunState;
  version: number;
  readonly events: Map<number, { stored: StoredEvent; hash: string }>;
  readonly guards: Map<string, HeldGuard>;
};

/** The memory store's tables, shared by its event store and its run storage. */
export class MemoryTables {
  readonly runs = new Map<string, MemoryRun>();
  readonly stats = new Map<string, RunStats>();

  static key(tenant: string, runId: string): string {
    return `${tenant}#${runId}`;
  }

  run(tenant: string, runId: string): MemoryRun | undefined {
    return this.runs.get(MemoryTables.key(tenant, runId));
  }

  /** Items exist before their summary does (a writer that crashed after writing them): this makes room. */
  ensureRun(tenant: string, runId: string, state: RunState): MemoryRun {
    const key = MemoryTables.key(tenant, runId);
    const existing = this.runs.get(key);
    if (existing !== undefined) return existing;
    const created: MemoryRun = { tenant, state, version: 0, events: new Map(), guards: new Map() };
    this.runs.set(key, created);
    return created;
  }

  addStats(tenant: string, before: RunState | undefined, after: RunState): void {
    const delta = statsDelta(before, after);
    if (delta === undefined) return;
    const stats = this.stats.get(tenant) ?? emptyStats();
    for (const [status, change] of Object.entries(delta) as Array<[keyof RunStats, number]>) stats[status] += change;
    this.stats.set(tenant, stats);
  }
}

/**
 * The run storage primitives in memory, with the same conditions as DynamoDB's (a summary write
 * holds only at the version read; an item insert only on a free key, unless the plan claimed it). Every primitive is one
 * synchronous step, so a wrapper can crash or pause a writer between any two of them.
 */
export class MemoryRunStorage implements RunStorage {
  readonly #tables: MemoryTables;

  constructor(tables: MemoryTables) {
    this.#tables = tables;
  }

  loadRun(tenant: string, runId: string): Promise<LoadedRun | undefined> {
    const run = this.#tables.run(tenant, runId);
    return Promise.resolve(run === undefined || run.version === 0 ? undefined : { state: run.state, version: run.version });
  }

  readGuards(tenant: string, runId: string, eventIds: readonly string[]): Promise<Map<string, HeldGuard>> {
    const guards = this.#tables.run(tenant, runId)?.guards;
    return Promise.resolve(new Map(eventIds.flatMap((eventId) => { const guard = guards?.get(eventId); return guard === undefined ? [] : [[eventId, guard] as const]; })));
  }

  readEvents(tenant: string, runId: string, seqs: readonly number[]): Promise<Map<number, StoredAt>> {
    const events = this.#tables.run(tenant, runId)?.events;
    return Promise.resolve(new Map(seqs.flatMap((seq) => { const held = events?.get(seq); return held === undefined ? [] : [[seq, { event: held.stored, hash: held.hash }] as const]; })));
  }

  writeRun(tenant: string, state: RunState, previous: LoadedRun | undefined): Promise<number | undefined> {
    const run = this.#tables.ensureRun(tenant, state.runId, state);
    if (run.version !== (previous?.version ?? 0)) return Promise.resolve(undefined);
    this.#tables.addStats(tenant, previous?.state, state);
    run.state = state;
    run.version += 1;
    return Promise.resolve(run.version);
  }

  writeItems(tenant: string, runId: string, guards: readonly GuardWrite[], events: readonly EventWrite[]): Promise<{ written: number[]; complete: boolean }> {
    const run = this.#tables.run(tenant, runId);
    if (run === undefined) throw new Error(`writeItems before the run's claim: ${runId}`);
    let complete = true;
    for (const write of guards) {
      const existing = run.guards.get(write.eventId);
      const allowed = write.kind === 'insert' ? existing === undefined : write.kind === 'replace' ? existing?.seq === write.staleSeq : existing === undefined || existing.seq === write.seq;
      if (allowed) run.guards.set(write.eventId, { eventId: write.eventId, seq: write.seq, hash: write.hash });
      else if (write.kind !== 'heal') complete = false;
    }
    const written: number[] = [];
    for (const { event, hash, ifFree } of events) {
      if (ifFree && run.events.has(event.seq)) complete = false;
      else {
        run.events.set(event.seq, { stored: event, hash });
        written.push(event.seq);
      }
    }
    return Promise.resolve({ written, complete });
  }
}
