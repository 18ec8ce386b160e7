import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FailedPublish, FailedPublishStore, KeptFailedPublish } from '#shared/ports.ts';
import { parseFailedPublish } from '#shared/relay/failed-publish.ts';

/**
 * Relay failures on the local disk: one JSON file per failure under a directory. Each is written
 * to a temporary name, fsynced, renamed into place and the directory fsynced before `record`
 * resolves, so a failure the relay counted as kept survives a crash of the process or the machine.
 */
export class FileFailedPublishStore implements FailedPublishStore {
  readonly #dir: string;
  readonly #handedOut = new Set<string>();

  constructor(options: { dir: string }) {
    this.#dir = options.dir;
  }

  record(failures: readonly FailedPublish[]): Promise<void> {
    mkdirSync(this.#dir, { recursive: true });
    for (const failure of failures) {
      // Time first, so a listing is in the order the failures happened.
      const name = `${failure.failedAt.replace(/[^0-9]/g, '')}-${randomUUID()}.json`;
      const temporary = join(this.#dir, `.${name}.tmp`);
      const fd = openSync(temporary, 'w');
      try {
        writeSync(fd, JSON.stringify(failure, null, 2));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, join(this.#dir, name));
    }
    syncDirectory(this.#dir);
    return Promise.resolve();
  }

  /** Files not handed out before by this instance, oldest first. */
  receive(max: number): Promise<KeptFailedPublish[]> {
    const kept = this.#files().filter((name) => !this.#handedOut.has(name)).slice(0, max);
    return Promise.resolve(
      kept.map((name) => {
        this.#handedOut.add(name);
        return { handle: name, failure: parseFailedPublish(JSON.parse(readFileSync(join(this.#dir, name), 'utf8'))) };
      }),
    );
  }

  remove(handle: string): Promise<void> {
    if (!this.#files().includes(handle)) return Promise.reject(new Error(`no relay failure '${handle}' under ${this.#dir}`));
    rmSync(join(this.#dir, handle));
    syncDirectory(this.#dir);
    return Promise.resolve();
  }

  release(handle: string): Promise<void> {
    this.#handedOut.delete(handle);
    return Promise.resolve();
  }

  /** Every kept failure with its file name, oldest first, without handing any out (`npm run dlq -- list`). */
  list(): KeptFailedPublish[] {
    return this.#files().map((name) => ({ handle: name, failure: parseFailedPublish(JSON.parse(readFileSync(join(this.#dir, name), 'utf8'))) }));
  }

  count(): Promise<number> {
    return Promise.resolve(this.#files().length);
  }

  #files(): string[] {
    try {
      return readdirSync(this.#dir).filter((name) => name.endsWith('.json') && !name.startsWith('.')).sort();
    } catch (error: unknown) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
      throw error;
    }
  }
}

/** A rename or delete is durable once the directory holding it is synced. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
