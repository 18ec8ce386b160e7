import { randomUUID } from 'node:crypto';
import type { DeliveredBatch } from '#shared/webhooks/delivered-batch.ts';
import type { DeliveryQueue, WebhookJob } from '#shared/webhooks/delivery-job.ts';
import type { WebhookJournal } from './webhook-journal.ts';

/**
 * The local stack's delivery queue: one chain per subscription (its jobs in order, one at a
 * time), chains side by side, so a slow or dead receiver holds up its own subscription only.
 * Delayed jobs wait on a timer. Successes are flushed to the ledger every `flushMs` (2 s), in one write
 * per run and subscriber (SQS batches do this in AWS). With a journal, every job is on disk with
 * the time it may run before `enqueue` resolves and marked done once its attempt finished (a retry
 * is journaled before the attempt it follows is done), so a stop or a crash loses nothing: `resume`
 * runs them at the next start. Without one (unit tests), a stop drops waiting retries. A replay is
 * one job on its subscription's chain: it sends a slice in order, then goes to the back of the chain.
 */
export class LocalDeliveryQueue implements DeliveryQueue {
  readonly #chains = new Map<string, Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #log: (line: string) => void;
  readonly #flushMs: number;
  readonly #journal: WebhookJournal | undefined;
  readonly #now: () => number;
  #work: ((job: WebhookJob) => Promise<unknown>) | undefined;
  #delivered: DeliveredBatch | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  /** Jobs whose attempt finished, marked done in the journal once the ledger write after them succeeded. */
  #finished: string[] = [];
  #active = 0;
  #closed = false;

  constructor(options: { log: (line: string) => void; flushMs?: number; journal?: WebhookJournal; now?: () => number }) {
    this.#log = options.log;
    this.#flushMs = options.flushMs ?? 2000;
    this.#journal = options.journal;
    this.#now = options.now ?? Date.now;
  }

  /** The worker and the batch it fills: bound once the root exists (the root needs this queue). */
  bind(work: (job: WebhookJob) => Promise<unknown>, delivered: DeliveredBatch): void {
    this.#work = work;
    this.#delivered = delivered;
  }

  /**
   * Runs what an earlier run of the stack journaled and did not finish, in the order it was
   * accepted (a wait already over runs at once). `parseJob` reads a job back (it came from disk); one
   * it cannot read is logged and kept, for a version of the stack that can. Returns how many it resumed.
   */
  resume(parseJob: (value: unknown) => WebhookJob): number {
    let resumed = 0;
    for (const { id, runAt, job } of this.#journal?.recover() ?? []) {
      let parsed: WebhookJob;
      try {
        parsed = parseJob(job);
      } catch (error: unknown) {
        this.#log(`webhook queue: job ${id} in the journal is not a job this stack runs (${error instanceof Error ? error.message : String(error)}); kept`);
        continue;
      }
      this.#schedule(id, parsed, runAt - this.#now());
      resumed += 1;
    }
    if (resumed > 0) this.#log(`webhook queue: resuming ${resumed} unfinished jobs`);
    return resumed;
  }

  /** Journals the jobs (when the queue has a journal), then runs them after `delayMs`. While closing, only journals them (the retries of attempts still running), for the next start. */
  async enqueue(jobs: readonly WebhookJob[], delayMs: number): Promise<void> {
    const runAt = this.#now() + Math.max(0, delayMs);
    const entries = jobs.map((job) => ({ id: randomUUID(), runAt, job }));
    if (this.#journal !== undefined && !this.#journal.closed) await this.#journal.append(entries);
    if (this.#closed) return;
    for (const { id, job } of entries) this.#schedule(id, job, delayMs);
  }

  /** Resolves once no job runs or waits to run now (delayed retries excluded) and the ledger is written. */
  async idle(): Promise<void> {
    while (this.#active > 0) await Promise.all([...this.#chains.values()]);
    await this.#flush();
  }

  /** Stops waiting retries (a journal keeps them for the next start), finishes running jobs, writes the ledger. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await this.idle();
    clearTimeout(this.#flushTimer);
    await this.#journal?.close();
  }

  #schedule(id: string, job: WebhookJob, delayMs: number): void {
    if (delayMs <= 0) return this.#run(id, job);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#run(id, job);
    }, delayMs);
    timer.unref();
    this.#timers.add(timer);
  }

  #run(id: string, job: WebhookJob): void {
    const work = this.#work;
    if (work === undefined) throw new Error('the webhook queue got a job before the stack bound its worker');
    this.#active += 1;
    const previous = this.#chains.get(job.subscriptionId) ?? Promise.resolve();
    const next = previous
      .then(() => work(job))
      .then(
        (result) => {
          // A success is in memory until the next ledger write: done after it. Anything else is recorded already
          // (a failure in the ledger, its retry in the journal): done now, so a crash does not repeat the attempt.
          if (awaitsLedgerWrite(result)) this.#finished.push(id);
          else this.#journal?.markDone(id);
        },
        (error: unknown) => {
          this.#log(`webhook delivery to ${job.subscriptionId} failed to run: ${error instanceof Error ? error.message : String(error)}`);
          this.#journal?.markDone(id);
        },
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
    const finished = this.#finished;
    this.#finished = [];
    try {
      await this.#delivered?.flush(new Date());
      for (const id of finished) this.#journal?.markDone(id);
    } catch (error: unknown) {
      // Not marked done: the next start runs them again, and their successes reach the ledger then.
      this.#log(`webhook ledger write failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Whether a job's result may hold a success the ledger has not written yet: all but the outcomes recorded as they happen. */
function awaitsLedgerWrite(result: unknown): boolean {
  if (typeof result !== 'object' || result === null || !('outcome' in result)) return true;
  return !(result.outcome === 'retry' || result.outcome === 'dead' || result.outcome === 'skipped');
}
