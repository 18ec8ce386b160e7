import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Alert, AlertSink } from '#shared/observers/alerting.ts';

/** Local alerts: one JSON line per alert in a file, and a line on the console. */
export class FileAlertSink implements AlertSink {
  /** Claims are kept by this name (shared/observers/alerting.ts): keep it stable. */
  readonly name = 'file';
  readonly #file: string;
  readonly #print: (line: string) => void;

  constructor(options: { file: string; print?: (line: string) => void }) {
    this.#file = options.file;
    this.#print = options.print ?? (() => undefined);
  }

  send(alert: Alert): Promise<void> {
    mkdirSync(dirname(this.#file), { recursive: true });
    appendFileSync(this.#file, `${JSON.stringify(alert)}\n`);
    this.#print(`ALERT ${alert.title}: ${alert.message} (tenant ${alert.tenant})`);
    return Promise.resolve();
  }
}
