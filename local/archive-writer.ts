import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseBusEvent } from '#shared/bus/published-event.ts';
import type { BusEvent } from './bus/local-bus.ts';

/**
 * The local archive: what Firehose does in AWS. Events are buffered and written in batches as
 * JSON Lines under `<dir>/tenant=<t>/date=<yyyy-mm-dd>/`, the layout Athena reads as partitions.
 */
export class ArchiveWriter {
  readonly #dir: string;
  readonly #buffers = new Map<string, string[]>();
  readonly #timer: NodeJS.Timeout;
  readonly #maxBuffered: number;
  #batch = 0;

  constructor(options: { dir: string; flushEveryMs?: number; maxBuffered?: number }) {
    this.#dir = options.dir;
    this.#maxBuffered = options.maxBuffered ?? 500;
    this.#timer = setInterval(() => this.flush(), options.flushEveryMs ?? 1000);
    this.#timer.unref();
  }

  /** The local bus target. */
  readonly archive = (event: BusEvent): Promise<void> => {
    const { detail } = parseBusEvent(event);
    const partition = join(`tenant=${detail.tenant}`, `date=${detail.receivedAt.slice(0, 10)}`);
    const lines = this.#buffers.get(partition) ?? [];
    lines.push(JSON.stringify(detail));
    this.#buffers.set(partition, lines);
    if (lines.length >= this.#maxBuffered) this.flush();
    return Promise.resolve();
  };

  /** Writes every buffered batch, one file per partition per batch. */
  flush(): void {
    for (const [partition, lines] of this.#buffers) {
      if (lines.length === 0) continue;
      const dir = join(this.#dir, partition);
      mkdirSync(dir, { recursive: true });
      this.#batch += 1;
      appendFileSync(join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${this.#batch}.jsonl`), `${lines.join('\n')}\n`);
    }
    this.#buffers.clear();
  }

  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
