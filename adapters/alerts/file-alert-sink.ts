import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseJsonLine } from '#shared/json-line.ts';
import type { Alert, AlertSink } from '#shared/observers/alerting.ts';

const SavedAlertSchema = z.looseObject({ tenant: z.string(), runId: z.string(), kind: z.string() });

/**
 * Local alerts: one JSON line per alert in a file, and a line on the console. The file is its own
 * record of what was sent, so the sink drops a repeat (same tenant, run and kind) itself: a crash
 * between the alert claim and the write, then a redelivery, still gives exactly one line.
 */
export class FileAlertSink implements AlertSink {
  /** Claims are kept by this name (shared/observers/alerting.ts): keep it stable. */
  readonly name = 'file';
  readonly deduplicates = true;
  readonly #file: string;
  readonly #print: (line: string) => void;
  #sent: Set<string> | undefined;

  constructor(options: { file: string; print?: (line: string) => void }) {
    this.#file = options.file;
    this.#print = options.print ?? (() => undefined);
  }

  send(alert: Alert): Promise<void> {
    const sent = (this.#sent ??= this.#readSent());
    const key = alertKey(alert);
    if (sent.has(key)) return Promise.resolve();
    mkdirSync(dirname(this.#file), { recursive: true });
    const fd = openSync(this.#file, 'a');
    try {
      writeSync(fd, `${JSON.stringify(alert)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    sent.add(key);
    this.#print(`ALERT ${alert.title}: ${alert.message} (tenant ${alert.tenant})`);
    return Promise.resolve();
  }

  #readSent(): Set<string> {
    let text: string;
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch (error: unknown) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return new Set();
      throw error;
    }
    const keys = new Set<string>();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const saved = SavedAlertSchema.safeParse(parseJsonLine(line));
      if (saved.success) keys.add(alertKey(saved.data));
    }
    return keys;
  }
}

function alertKey(alert: { tenant: string; runId: string; kind: string }): string {
  return JSON.stringify([alert.tenant, alert.runId, alert.kind]);
}

