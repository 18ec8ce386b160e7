import { decodeLedgerCursor, encodeLedgerCursor } from '#shared/webhooks/ledger-cursor.ts';
import type { DeliveryFailure, DeliveryLedger, LedgerKey, LedgerPage, ReplayLedger, ReplayRecord, ReplayStatus, SubscriberKind } from '#shared/webhooks/ports.ts';

type Delivered = { readonly kind: SubscriberKind; readonly seqs: Set<number> };
type RunLedger = { readonly delivered: Map<string, Delivered>; readonly failures: Map<string, DeliveryFailure>; readonly replays: Map<string, ReplayRecord> };
type LedgerRecord = { readonly key: string } & ({ readonly delivered: LedgerKey & { readonly seqs: number[] } } | { readonly failure: DeliveryFailure } | { readonly replay: ReplayRecord });

/**
 * The delivery ledger in Maps, for unit tests of the webhook use cases. It passes the same
 * contract suite as DynamoDbDeliveryLedger: one delivered record per subscriber and run (a set,
 * so a repeat changes nothing), one failure record per event and subscriber (a later one replaces
 * it), one record per replay (moved on only by a slice that is not stale), pages in the same key
 * order with the same cursor, replays counted against the limit as the DynamoDB items are, and the
 * dead list derived from the failure records, so a later non-dead record takes an event off it.
 */
export class MemoryDeliveryLedger implements DeliveryLedger, ReplayLedger {
  readonly #runs = new Map<string, RunLedger>();

  recordDelivered(entries: ReadonlyArray<LedgerKey & { readonly seqs: readonly number[] }>): Promise<void> {
    for (const entry of entries) {
      if (entry.seqs.length === 0) continue;
      const run = this.#run(entry.tenant, entry.runId);
      const delivered = run.delivered.get(entry.subscriber);
      run.delivered.set(entry.subscriber, { kind: entry.kind, seqs: new Set([...(delivered?.seqs ?? []), ...entry.seqs]) });
    }
    return Promise.resolve();
  }

  recordFailure(failure: DeliveryFailure): Promise<void> {
    this.#run(failure.tenant, failure.runId).failures.set(failureKey(failure.subscriber, failure.seq), { ...failure });
    return Promise.resolve();
  }

  readRun(tenant: string, runId: string, options: { cursor?: string | undefined; limit: number }): Promise<LedgerPage> {
    // A bad cursor rejects the promise, as it does in an adapter that awaits I/O first, rather than throwing at the call.
    return Promise.resolve().then(() => this.#page(tenant, runId, options));
  }

  #page(tenant: string, runId: string, options: { cursor?: string | undefined; limit: number }): LedgerPage {
    const scope = runScope(tenant, runId);
    const after = options.cursor === undefined ? undefined : decodeLedgerCursor(options.cursor, scope);
    const run = this.#runs.get(scope);
    const delivered = run?.delivered ?? new Map<string, Delivered>();
    const records: LedgerRecord[] = [
      ...[...delivered].map(([subscriber, { kind, seqs }]) => ({ key: `D#${subscriber}`, delivered: { tenant, runId, subscriber, kind, seqs: [...seqs].sort((a, b) => a - b) } })),
      ...[...(run?.failures ?? [])].map(([key, failure]) => ({ key, failure: { ...failure } })),
      ...[...(run?.replays ?? [])].map(([key, replay]) => ({ key, replay: { ...replay } })),
    ]
      .filter((record) => after === undefined || record.key > after)
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    const page = records.slice(0, options.limit);
    const last = page.at(-1);
    return {
      delivered: page.flatMap((record) => ('delivered' in record ? [record.delivered] : [])),
      // A failure of an event delivered since is superseded, whichever page the delivery is on.
      failures: page.flatMap((record) => ('failure' in record && delivered.get(record.failure.subscriber)?.seqs.has(record.failure.seq) !== true ? [record.failure] : [])),
      replays: page.flatMap((record) => ('replay' in record ? [record.replay] : [])),
      next: last === undefined || records.length <= options.limit ? undefined : encodeLedgerCursor(scope, last.key),
    };
  }

  startReplay(record: ReplayRecord): Promise<void> {
    // A copy, as a stored item is: the caller's object changing later changes nothing here.
    this.#run(record.tenant, record.runId).replays.set(replayKey(record.subscriber, record.replayId), { ...record });
    return Promise.resolve();
  }

  getReplay(key: LedgerKey, replayId: string): Promise<ReplayRecord | undefined> {
    const record = this.#runs.get(runScope(key.tenant, key.runId))?.replays.get(replayKey(key.subscriber, replayId));
    return Promise.resolve(record === undefined ? undefined : { ...record });
  }

  advanceReplay(key: LedgerKey, replayId: string, progress: { readonly fromStep: number; readonly nextSeq: number; readonly status: ReplayStatus; readonly at: Date }): Promise<boolean> {
    const replays = this.#runs.get(runScope(key.tenant, key.runId))?.replays;
    const id = replayKey(key.subscriber, replayId);
    const record = replays?.get(id);
    // DynamoDB's condition (the item exists and no later slice moved it): otherwise nothing changes.
    if (replays === undefined || record === undefined || record.step > progress.fromStep) return Promise.resolve(false);
    replays.set(id, { ...record, nextSeq: progress.nextSeq, status: progress.status, step: progress.fromStep + 1, updatedAt: progress.at.toISOString() });
    return Promise.resolve(true);
  }

  listDead(tenant: string, subscriber: string, runId?: string): Promise<DeliveryFailure[]> {
    const dead: DeliveryFailure[] = [];
    for (const run of this.#runs.values()) {
      for (const failure of run.failures.values()) {
        if (failure.tenant === tenant && failure.subscriber === subscriber && failure.status === 'dead' && (runId === undefined || failure.runId === runId)) dead.push({ ...failure });
      }
    }
    return Promise.resolve(dead.sort((a, b) => (a.runId === b.runId ? a.seq - b.seq : a.runId < b.runId ? -1 : 1)));
  }

  #run(tenant: string, runId: string): RunLedger {
    const scope = runScope(tenant, runId);
    let run = this.#runs.get(scope);
    if (run === undefined) {
      run = { delivered: new Map(), failures: new Map(), replays: new Map() };
      this.#runs.set(scope, run);
    }
    return run;
  }
}

/** Where a run's ledger is kept, and the scope its cursors carry. */
function runScope(tenant: string, runId: string): string {
  return `${tenant}\n${runId}`;
}

/** Failures sort after every delivered record and by seq within a subscriber, as the DynamoDB keys do. */
function failureKey(subscriber: string, seq: number): string {
  return `F#${subscriber}#${seq.toString().padStart(10, '0')}`;
}

/** Replays sort after every failure and by id within a subscriber, as the DynamoDB keys do. */
function replayKey(subscriber: string, replayId: string): string {
  return `R#${subscriber}#${replayId}`;
}
