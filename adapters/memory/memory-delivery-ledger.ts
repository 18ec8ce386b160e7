import { decodeLedgerCursor, encodeLedgerCursor } from '#shared/webhooks/ledger-cursor.ts';
import type { DeliveryFailure, DeliveryLedger, LedgerKey, LedgerPage, SubscriberKind } from '#shared/webhooks/ports.ts';

type Delivered = { readonly kind: SubscriberKind; readonly seqs: Set<number> };
type RunLedger = { readonly delivered: Map<string, Delivered>; readonly failures: Map<string, DeliveryFailure> };
type LedgerRecord = { readonly key: string } & ({ readonly delivered: LedgerKey & { readonly seqs: number[] } } | { readonly failure: DeliveryFailure });

/**
 * The delivery ledger in Maps, for unit tests of the webhook use cases. It passes the same
 * contract suite as DynamoDbDeliveryLedger: one delivered record per subscriber and run (a set,
 * so a repeat changes nothing), one failure record per event and subscriber (a later one replaces
 * it), pages in the same key order with the same cursor, and the dead list derived from the
 * failure records, so a later non-dead record takes an event off it.
 */
export class MemoryDeliveryLedger implements DeliveryLedger {
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
    ]
      .filter((record) => after === undefined || record.key > after)
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    const page = records.slice(0, options.limit);
    const last = page.at(-1);
    return {
      delivered: page.flatMap((record) => ('delivered' in record ? [record.delivered] : [])),
      // A failure of an event delivered since is superseded, whichever page the delivery is on.
      failures: page.flatMap((record) => ('failure' in record && delivered.get(record.failure.subscriber)?.seqs.has(record.failure.seq) !== true ? [record.failure] : [])),
      next: last === undefined || records.length <= options.limit ? undefined : encodeLedgerCursor(scope, last.key),
    };
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
      run = { delivered: new Map(), failures: new Map() };
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
