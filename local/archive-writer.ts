import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseBusEvent } from '#shared/bus/published-event.ts';
import type { BusEvent } from './bus/local-bus.ts';

type Waiting = { line: string; resolve: () => void; reject: (error: unknown) => void };

/**
 * The local archive: what Firehose does in AWS. Events are written in batches as JSON Lines under
 * `<dir>/tenant=<t>/date=<yyyy-mm-dd>/`, the layout Athena reads as partitions. Group commit: a
 * delivery resolves only once its line is appended and fsynced with its batch, so the bus never
 * records as done an event the archive could still lose. At-least-once, as Firehose: a repeat
 * delivery adds a repeat line (drop it in a query by tenant, runId and seq).
 */
export class ArchiveWriter {
  readonly #dir: string;
  readonly #flushEveryMs: number;
  readonly #maxBuffered: number;
  readonly #file: string;
  #buffers = new Map<string, Waiting[]>();
  #buffered = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { dir: string; flushEveryMs?: number; maxBuffered?: number }) {
    this.#dir = options.dir;
    this.#flushEveryMs = options.flushEveryMs ?? 50;
    this.#maxBuffered = options.maxBuffered ?? 500;
    // One file per partition per process start: appends, not a file per batch.
    this.#file = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.jsonl`;
  }

  /** The local bus target: resolves once the event's line is on disk. */
  readonly archive = (event: BusEvent): Promise<void> => {
    const { detail } = parseBusEvent(event);
    const partition = join(`tenant=${detail.tenant}`, `date=${detail.receivedAt.slice(0, 10)}`);
    return new Promise((resolve, reject) => {
      const waiting = this.#buffers.get(partition) ?? [];
      waiting.push({ line: JSON.stringify(detail), resolve, reject });
      this.#buffers.set(partition, waiting);
      this.#buffered += 1;
      if (this.#buffered >= this.#maxBuffered) this.flush();
      else this.#timer ??= setTimeout(() => this.flush(), this.#flushEveryMs);
    });
  };

  /** Appends and fsyncs every buffered batch, then resolves the deliveries in it. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const buffers = this.#buffers;
    this.#buffers = new Map();
    this.#buffered = 0;
    for (const [partition, waiting] of buffers) {
      try {
        const dir = join(this.#dir, partition);
        mkdirSync(dir, { recursive: true });
        const fd = openSync(join(dir, this.#file), 'a');
        try {
          writeSync(fd, `${waiting.map(({ line }) => line).join('\n')}\n`);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        for (const { resolve } of waiting) resolve();
      } catch (error: unknown) {
        // The bus retries these deliveries, then dead-letters them: nothing is acknowledged unwritten.
        for (const { reject } of waiting) reject(error);
      }
    }
  }

  close(): void {
    this.flush();
  }
}
