import { open, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileDurably } from './durable-file.ts';
import { readJsonLines } from './jsonl-lines.ts';

/** One job the local webhook queue accepted: its id, the earliest time it may run (ms since the epoch), and the job itself, opaque. */
export type JournaledJob = { readonly id: string; readonly runAt: number; readonly job: unknown };

const JobLineSchema = z.object({ op: z.literal('job'), id: z.string(), runAt: z.number(), job: z.unknown() });
const DoneLineSchema = z.object({ op: z.literal('done'), id: z.string() });
const LineSchema = z.discriminatedUnion('op', [JobLineSchema, DoneLineSchema]);

type Write = { readonly text: string; readonly waiter?: { resolve: () => void; reject: (error: unknown) => void } };

/**
 * The local webhook queue's write-ahead journal, one JSONL file: a `job` line for each job accepted
 * (fsynced before `append` resolves, one fsync for every append waiting at that moment) and a `done`
 * line once its attempt finished. The jobs are opaque JSON: whoever reads them back parses them, so
 * new job kinds need nothing here. Compacted (rewritten with only unfinished jobs, atomically) at
 * `recover` and whenever finished lines outnumber the rest past `compactAfterLines`.
 * At-least-once: a job finished just before a crash, its `done` line not yet written, runs again.
 */
export class WebhookJournal {
  readonly #file: string;
  readonly #compactAfterLines: number;
  /** Unfinished jobs in the order they were accepted, as the lines compaction writes. */
  readonly #open = new Map<string, string>();
  #lines = 0;
  #handle: Promise<FileHandle> | undefined;
  #queued: Write[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(options: { file: string; compactAfterLines?: number }) {
    this.#file = options.file;
    this.#compactAfterLines = options.compactAfterLines ?? 10_000;
  }

  /** What an earlier run accepted and did not finish, oldest first; the file is compacted to just those. */
  recover(): JournaledJob[] {
    const open = new Map<string, JournaledJob>();
    for (const line of readJsonLines(this.#file, LineSchema)) {
      if (line.op === 'job') open.set(line.id, { id: line.id, runAt: line.runAt, job: line.job });
      else open.delete(line.id);
    }
    this.#open.clear();
    for (const job of open.values()) this.#open.set(job.id, jobLine(job));
    writeFileDurably(this.#file, [...this.#open.values()].join(''));
    this.#lines = this.#open.size;
    return [...open.values()];
  }

  /** Resolves once every job is on disk. */
  append(jobs: readonly JournaledJob[]): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`the webhook journal ${this.#file} is closed`));
    if (jobs.length === 0) return Promise.resolve();
    const text = jobs.map((job) => jobLine(job)).join('');
    for (const job of jobs) this.#open.set(job.id, jobLine(job));
    return new Promise((resolve, reject) => this.#write({ text, waiter: { resolve, reject } }));
  }

  /** Records a job finished. Not awaited: lost only with the machine (a SIGKILL keeps it), and then the job runs once more. */
  markDone(id: string): void {
    if (this.#closed || !this.#open.delete(id)) return;
    this.#write({ text: `${JSON.stringify({ op: 'done', id })}\n` });
  }

  /** How many jobs are unfinished. */
  get pending(): number {
    return this.#open.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes what is queued, then closes the file (clean shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#flushing;
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) await (await handle).close();
  }

  #write(write: Write): void {
    this.#queued.push(write);
    this.#flushing ??= this.#flush();
  }

  /** Group commit: everything queued while the previous write and fsync ran goes out in one more. */
  async #flush(): Promise<void> {
    while (this.#queued.length > 0) {
      const batch = this.#queued;
      this.#queued = [];
      try {
        if (this.#lines > this.#compactAfterLines && this.#open.size * 2 < this.#lines) await this.#compact();
        else {
          const handle = await (this.#handle ??= open(this.#file, 'a'));
          await handle.appendFile(batch.map(({ text }) => text).join(''));
          await handle.sync();
          this.#lines += batch.reduce((lines, { text }) => lines + text.split('\n').length - 1, 0);
        }
        for (const { waiter } of batch) waiter?.resolve();
      } catch (error: unknown) {
        for (const { waiter } of batch) waiter?.reject(error);
      }
    }
    this.#flushing = undefined;
  }

  /** The unfinished jobs (those of the batch being written included) replace the file at once; the batch needs no append. */
  async #compact(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) await (await handle).close();
    writeFileDurably(this.#file, [...this.#open.values()].join(''));
    this.#lines = this.#open.size;
  }
}

function jobLine(job: JournaledJob): string {
  return `${JSON.stringify({ op: 'job', id: job.id, runAt: job.runAt, job: job.job })}\n`;
}
