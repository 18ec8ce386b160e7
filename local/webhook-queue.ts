import type { DeliveredBatch } from '#shared/webhooks/delivered-batch.ts';
import type { DeliveryQueue, WebhookJob } from '#shared/webhooks/delivery-job.ts';

/**
 * The local stack's delivery queue: one chain per subscription (its jobs in order, one at a
 * time), chains side by side, so a slow or dead receiver holds up its own subscription only.
 * Delayed jobs wait on a timer. Successes are flushed to the ledger every `flushMs` (2 s), in one write
 * per run and subscriber (SQS batches do this in AWS). In memory: a retry waiting when the stack
 * stops is not resumed (the ledger keeps it as failed; redrive sends it once it is dead). A replay is
 * one job on its subscription's chain: it sends a slice in order, then goes to the back of the chain.
 */
export class LocalDeliveryQueue implements DeliveryQueue {
  readonly #chains = new Map<string, Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #log: (line: string) => void;
  readonly #flushMs: number;
  #work: ((job: WebhookJob) => Promise<unknown>) | undefined;
  #delivered: DeliveredBatch | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #active = 0;
  #closed = false;

  constructor(options: { log: (line: string) => void; flushMs?: number }) {
    this.#log = options.log;
    this.#flushMs = options.flushMs ?? 2000;
  }

  /** The worker and the batch it fills: bound once the root exists (the root needs this queue). */
  bind(work: (job: WebhookJob) => Promise<unknown>, delivered: DeliveredBatch): void {
    this.#work = work;
    this.#delivered = delivered;
  }

  enqueue(jobs: readonly WebhookJob[], delayMs: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (delayMs <= 0) {
      for (const job of jobs) this.#run(job);
      return Promise.resolve();
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      for (const job of jobs) this.#run(job);
    }, delayMs);
    timer.unref();
    this.#timers.add(timer);
    return Promise.resolve();
  }

  /** Resolves once no job runs or waits to run now (delayed retries excluded) and the ledger is written. */
  async idle(): Promise<void> {
    while (this.#active > 0) await Promise.all([...this.#chains.values()]);
    await this.#flush();
  }

  /** Drops waiting retries, finishes running jobs, writes the ledger. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await this.idle();
    clearTimeout(this.#flushTimer);
  }

  #run(job: WebhookJob): void {
    const work = this.#work;
    if (work === undefined) throw new Error('the webhook queue got a job before the stack bound its worker');
    this.#active += 1;
    const previous = this.#chains.get(job.subscriptionId) ?? Promise.resolve();
    const next = previous
      .then(() => work(job))
      .then(
        () => undefined,
        (error: unknown) => this.#log(`webhook delivery to ${job.subscriptionId} failed to run: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        this.#active -= 1;
        this.flushSoon();
        if (this.#chains.get(job.subscriptionId) === next) this.#chains.delete(job.subscriptionId);
      });
    this.#chains.set(job.subscriptionId, next);
  }

  /** Writes gathered successes within `flushMs` (observers of your own add to the same batch). */
  flushSoon(): void {
    if (this.#flushTimer !== undefined) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      void this.#flush();
    }, this.#flushMs);
    this.#flushTimer.unref();
  }

  async #flush(): Promise<void> {
    try {
      await this.#delivered?.flush(new Date());
    } catch (error: unknown) {
      this.#log(`webhook ledger write failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
