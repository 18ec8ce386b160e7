import type { DeliveryLedger, LedgerKey } from './ports.ts';

/**
 * Successes gathered between two ledger writes: many seqs of one (tenant, run, subscriber) become
 * one write (the ledger budget is 0.1 write units per delivered event). The caller decides when
 * to flush: at the end of an SQS batch in Lambda, on a short timer locally. A crash before a
 * flush loses the record of those successes, never a delivery: the ledger then under-reports.
 */
export class DeliveredBatch {
  readonly #ledger: Pick<DeliveryLedger, 'recordDelivered'>;
  #pending = new Map<string, LedgerKey & { seqs: number[] }>();

  /** `ledger`: anything that records successes (the ledger itself, or the ledger queue in front of it). */
  constructor(ledger: Pick<DeliveryLedger, 'recordDelivered'>) {
    this.#ledger = ledger;
  }

  add(key: LedgerKey, seq: number): void {
    const id = `${key.tenant}\n${key.runId}\n${key.kind}\n${key.subscriber}`;
    const entry = this.#pending.get(id);
    if (entry === undefined) this.#pending.set(id, { tenant: key.tenant, runId: key.runId, subscriber: key.subscriber, kind: key.kind, seqs: [seq] });
    else entry.seqs.push(seq);
  }

  get size(): number {
    return this.#pending.size;
  }

  async flush(at: Date): Promise<void> {
    if (this.#pending.size === 0) return;
    const entries = [...this.#pending.values()];
    this.#pending = new Map();
    await this.#ledger.recordDelivered(entries, at);
  }
}
