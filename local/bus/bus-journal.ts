import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonLines } from '../jsonl-lines.ts';
import { BusEventSchema, type BusEvent } from './bus-event.ts';

const JournalLineSchema = z.object({ event: BusEventSchema, targets: z.array(z.string()) });
const DoneLineSchema = z.object({ id: z.string(), target: z.string() });

/** A delivery the bus accepted and has not finished: one entry for one target. */
export type PendingDelivery = { readonly event: BusEvent; readonly target: string };

type Segment = { readonly number: number; entries: number; pending: number };

/**
 * The local bus's write-ahead journal, so that what PutEvents accepted survives a crash (as
 * EventBridge keeps what it acknowledged). Accepted entries and the targets they matched are
 * appended to `journal-<n>.jsonl` and fsynced before PutEvents answers (one fsync for every call
 * waiting at that moment); finished deliveries (delivered, dead-lettered, or given up on by an
 * optional target) go to `done-<n>.jsonl`. A segment whose deliveries are all done is deleted.
 * At-least-once: a delivery done just before a crash but not yet recorded is made again.
 */
export class BusJournal {
  readonly #dir: string;
  readonly #segmentEntries: number;
  readonly #segments = new Map<number, Segment>();
  /** Deliveries not done yet, per bus event id: its segment and the targets still owed. */
  readonly #open = new Map<string, { segment: Segment; targets: Set<string> }>();
  #current: Segment;
  #handle: Promise<FileHandle> | undefined;
  #queued: Array<{ lines: string; resolve: () => void; reject: (error: unknown) => void }> = [];
  #flushing: Promise<void> | undefined;

  constructor(options: { dir: string; segmentEntries?: number }) {
    this.#dir = options.dir;
    this.#segmentEntries = options.segmentEntries ?? 2000;
    mkdirSync(this.#dir, { recursive: true });
    this.#current = { number: 0, entries: 0, pending: 0 };
  }

  /**
   * Reads every segment left by an earlier run and returns what was accepted but not finished,
   * oldest first. New entries go to a new segment; finished old segments are deleted.
   */
  recover(): PendingDelivery[] {
    const numbers = readdirSync(this.#dir)
      .map((file) => /^journal-(\d+)\.jsonl$/.exec(file)?.[1])
      .filter((number): number is string => number !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const pending: PendingDelivery[] = [];
    for (const number of numbers) {
      const done = new Set(readJsonLines(this.doneFile(number), DoneLineSchema).map(({ id, target }) => `${id}\n${target}`));
      const segment: Segment = { number, entries: 0, pending: 0 };
      this.#segments.set(number, segment);
      for (const { event, targets } of readJsonLines(this.journalFile(number), JournalLineSchema)) {
        segment.entries += 1;
        const owed = new Set(targets.filter((target) => !done.has(`${event.id}\n${target}`)));
        if (owed.size === 0) continue;
        segment.pending += owed.size;
        this.#open.set(event.id, { segment, targets: owed });
        for (const target of owed) pending.push({ event, target });
      }
      this.#deleteIfFinished(segment);
    }
    this.#current = { number: (numbers.at(-1) ?? 0) + 1, entries: 0, pending: 0 };
    return pending;
  }

  /** Resolves once the entries are on disk (fsynced). Entries without targets need no journal. */
  append(entries: ReadonlyArray<{ event: BusEvent; targets: readonly string[] }>): Promise<void> {
    const owed = entries.filter(({ targets }) => targets.length > 0);
    if (owed.length === 0) return Promise.resolve();
    if (this.#current.entries >= this.#segmentEntries) this.#roll();
    const segment = this.#current;
    this.#segments.set(segment.number, segment);
    for (const { event, targets } of owed) {
      segment.entries += 1;
      segment.pending += targets.length;
      this.#open.set(event.id, { segment, targets: new Set(targets) });
    }
    const lines = owed.map(({ event, targets }) => `${JSON.stringify({ event, targets })}\n`).join('');
    return new Promise((resolve, reject) => {
      this.#queued.push({ lines, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** Records one delivery as finished; a crash before this line is written only means a repeat. */
  markDone(eventId: string, target: string): void {
    const entry = this.#open.get(eventId);
    if (entry === undefined || !entry.targets.delete(target)) return;
    if (entry.targets.size === 0) this.#open.delete(eventId);
    const fd = openSync(this.doneFile(entry.segment.number), 'a');
    try {
      writeSync(fd, `${JSON.stringify({ id: eventId, target })}\n`);
    } finally {
      closeSync(fd);
    }
    entry.segment.pending -= 1;
    if (entry.segment !== this.#current) this.#deleteIfFinished(entry.segment);
  }

  /** Closes the open segment file (clean shutdown). */
  async close(): Promise<void> {
    await this.#flushing;
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) await (await handle).close();
  }

  journalFile(number: number): string {
    return join(this.#dir, `journal-${number}.jsonl`);
  }

  doneFile(number: number): string {
    return join(this.#dir, `done-${number}.jsonl`);
  }

  /** Group commit: everything queued while the previous write and fsync ran goes out in one more. */
  async #flush(): Promise<void> {
    while (this.#queued.length > 0) {
      const batch = this.#queued;
      this.#queued = [];
      try {
        const handle = await (this.#handle ??= open(this.journalFile(this.#current.number), 'a'));
        await handle.appendFile(batch.map(({ lines }) => lines).join(''));
        await handle.sync();
        for (const { resolve } of batch) resolve();
      } catch (error: unknown) {
        for (const { reject } of batch) reject(error);
      }
    }
    this.#flushing = undefined;
  }

  #roll(): void {
    const sealed = this.#current;
    const handle = this.#handle;
    this.#handle = undefined;
    // The old handle closes once the writes already queued on it are done.
    if (handle !== undefined) void Promise.all([handle, this.#flushing]).then(([file]) => file.close());
    this.#current = { number: sealed.number + 1, entries: 0, pending: 0 };
    this.#deleteIfFinished(sealed);
  }

  #deleteIfFinished(segment: Segment): void {
    if (segment.pending > 0) return;
    this.#segments.delete(segment.number);
    rmSync(this.journalFile(segment.number), { force: true });
    rmSync(this.doneFile(segment.number), { force: true });
  }
}
