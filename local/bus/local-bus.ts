import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { compilePattern, type CompiledPattern } from '#shared/bus/event-pattern.ts';
import { writeFileDurably } from '../durable-file.ts';
import { BusEventSchema, type BusEvent } from './bus-event.ts';
import { BusJournal } from './bus-journal.ts';

export type { BusEvent } from './bus-event.ts';

const DeadLetterSchema = z.object({ event: BusEventSchema, error: z.string() });

/** A rule and its target: the local counterpart of one CDK subscription. */
export type LocalTarget = {
  readonly name: string;
  readonly pattern: Record<string, unknown>;
  /** Required observers get more retries and a dead-letter queue; optional ones a logged failure. */
  readonly required: boolean;
  readonly invoke: (event: BusEvent) => Promise<void>;
};

/**
 * Retry policy per kind of observer, deliberately shorter than AWS's (infra/constructs/observer-rules.ts
 * gives required targets 185 attempts over 24 h): locally a failing observer should reach the
 * dead-letter folder in seconds, where a developer sees it, not a day later.
 */
export const RETRY_POLICY = {
  required: { attempts: 5, baseDelayMs: 200 },
  optional: { attempts: 2, baseDelayMs: 200 },
} as const;

export type PutEntry = { Source?: string; DetailType?: string; Detail?: string; EventBusName?: string; Time?: Date; Resources?: string[] };

type Rule = LocalTarget & { matches: CompiledPattern };

/** What a redrive did: counts, and one line per letter (`n of m delivered|failed again: reason`). */
export type RedriveResult = { delivered: number; failed: number; lines: string[] };

/**
 * The local EventBridge bus: matches every entry against every rule with our own pattern matcher
 * (full EventBridge syntax), journals what it accepted (fsynced before PutEvents answers, as
 * EventBridge keeps what it acknowledged), delivers to each matching target in the background with
 * the target's retry policy, resumes unfinished deliveries after a restart, and writes what a
 * required target never took to `<dataDir>/dlq/<target>/`. Delivery is at-least-once: a repeat
 * carries the same bus event id and the same (tenant, runId, seq).
 */
export class LocalBus {
  readonly #rules: Rule[];
  readonly #dlqDir: string;
  readonly #journal: BusJournal;
  readonly #log: (line: string) => void;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #sleep: (ms: number) => Promise<void>;
  #entries = 0;
  #deliveries = 0;

  constructor(options: { targets: readonly LocalTarget[]; dataDir: string; log?: (line: string) => void; sleep?: (ms: number) => Promise<void> }) {
    this.#rules = options.targets.map((target) => ({ ...target, matches: compilePattern(target.pattern) }));
    this.#dlqDir = join(options.dataDir, 'dlq');
    this.#journal = new BusJournal({ dir: join(options.dataDir, 'bus') });
    this.#log = options.log ?? (() => undefined);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Starts again what an earlier run accepted and did not finish (call once, before PutEvents is
   * served). Returns how many deliveries it resumed.
   */
  resume(): number {
    const pending = this.#journal.recover();
    for (const { event, target } of pending) {
      const rule = this.#rules.find((candidate) => candidate.name === target);
      if (rule === undefined) {
        this.#log(`bus journal: no target named ${target} any more; dropping its delivery of ${event.id}`);
        this.#journal.markDone(event.id, target);
        continue;
      }
      this.#deliveries += 1;
      this.#track(this.#deliverAndRecord(rule, event));
    }
    if (pending.length > 0) this.#log(`bus journal: resuming ${pending.length} unfinished deliveries`);
    return pending.length;
  }

  /**
   * PutEvents: accepts every well-formed entry (returning its id) once it is in the journal on
   * disk, then delivers it in the background. Rejects when the journal cannot be written: the
   * caller (the relay) retries, and nothing is acknowledged that a crash could lose.
   */
  async putEvents(entries: readonly PutEntry[]): Promise<Array<{ EventId: string } | { ErrorCode: string; ErrorMessage: string }>> {
    this.#entries += entries.length;
    const accepted: Array<{ event: BusEvent; rules: Rule[] }> = [];
    const results = entries.map((entry) => {
      const event = toBusEvent(entry);
      if (event === undefined) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail, DetailType and Source are required; Detail must be a JSON object' };
      accepted.push({ event, rules: this.#rules.filter((rule) => rule.matches(event)) });
      return { EventId: event.id };
    });
    await this.#journal.append(accepted.map(({ event, rules }) => ({ event, targets: rules.map((rule) => rule.name) })));
    for (const { event, rules } of accepted) {
      for (const rule of rules) {
        this.#deliveries += 1;
        this.#track(this.#deliverAndRecord(rule, event));
      }
    }
    return results;
  }

  /** Entries received and deliveries started since the bus started (the benchmark's counts). */
  stats(): { entries: number; deliveries: number } {
    return { entries: this.#entries, deliveries: this.#deliveries };
  }

  /** Resolves once every delivery started so far has finished (tests, clean shutdown). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Drains, then closes the journal (clean shutdown). */
  async close(): Promise<void> {
    await this.drain();
    await this.#journal.close();
  }

  /** Dead letters of one target, or of all. */
  listDeadLetters(target?: string): Array<{ target: string; file: string; event: BusEvent; error: string }> {
    return listDeadLetters(this.#dlqDir, target);
  }

  /**
   * Delivers dead letters again, one attempt each (a target still down fails fast back into the
   * dead letters, with the new reason). A letter file is deleted only after its delivery
   * succeeded, so a crash mid-redrive loses none: the next redrive delivers it (perhaps again).
   * `only` picks one letter by bus event id, `which` some (one tenant's).
   */
  async redrive(options: { target?: string | undefined; only?: string | undefined; which?: (event: BusEvent) => boolean; progress?: (line: string) => void } = {}): Promise<RedriveResult> {
    const letters = this.listDeadLetters(options.target).filter((letter) => (options.only === undefined || letter.event.id === options.only) && (options.which?.(letter.event) ?? true));
    const result: RedriveResult = { delivered: 0, failed: 0, lines: [] };
    const report = (line: string) => {
      result.lines.push(line);
      this.#log(`redrive: ${line}`);
      options.progress?.(line);
    };
    for (const [index, letter] of letters.entries()) {
      const position = `${index + 1} of ${letters.length}`;
      const what = `${letter.target} ${letter.event['detail-type']} ${letter.event.id}`;
      const rule = this.#rules.find((candidate) => candidate.name === letter.target);
      if (rule === undefined) {
        result.failed += 1;
        report(`${position} failed again: ${what}: no target named ${letter.target} on this bus`);
        continue;
      }
      try {
        await rule.invoke(letter.event);
      } catch (error: unknown) {
        const reason = errorMessage(error);
        writeFileDurably(letter.file, deadLetterJson(rule.name, reason, letter.event));
        result.failed += 1;
        report(`${position} failed again: ${what}: ${reason}`);
        continue;
      }
      rmSync(letter.file, { force: true });
      result.delivered += 1;
      report(`${position} delivered: ${what}`);
    }
    return result;
  }

  #track(delivery: Promise<unknown>): void {
    const tracked = delivery.then(
      () => undefined,
      (error: unknown) => this.#log(`bus: a delivery could not be recorded: ${errorMessage(error)}`),
    );
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  /** Delivers (or dead-letters), then records the delivery done in the journal. */
  async #deliverAndRecord(rule: Rule, event: BusEvent): Promise<void> {
    await this.#deliver(rule, event);
    this.#journal.markDone(event.id, rule.name);
  }

  async #deliver(rule: Rule, event: BusEvent): Promise<boolean> {
    const policy = rule.required ? RETRY_POLICY.required : RETRY_POLICY.optional;
    let lastError: unknown;
    for (let attempt = 0; attempt < policy.attempts; attempt++) {
      if (attempt > 0) await this.#sleep(policy.baseDelayMs * 2 ** (attempt - 1));
      try {
        await rule.invoke(event);
        return true;
      } catch (error: unknown) {
        lastError = error;
      }
    }
    const reason = errorMessage(lastError);
    if (rule.required) {
      const dir = join(this.#dlqDir, rule.name);
      mkdirSync(dir, { recursive: true });
      // On disk before the journal calls the delivery done, so a crash cannot lose the letter.
      writeFileDurably(join(dir, `${event.id}.json`), deadLetterJson(rule.name, reason, event));
      this.#log(`observer ${rule.name} failed ${policy.attempts} times on ${event['detail-type']} ${event.id}: dead-lettered (${reason})`);
    } else {
      this.#log(`optional observer ${rule.name} failed on ${event['detail-type']} ${event.id}: ${reason}`);
    }
    return false;
  }
}

function deadLetterJson(target: string, error: string, event: BusEvent): string {
  return JSON.stringify({ target, error, event }, null, 2);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toBusEvent(entry: PutEntry): BusEvent | undefined {
  if (entry.Source === undefined || entry.DetailType === undefined || entry.Detail === undefined) return undefined;
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return undefined;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '000000000000',
    time: (entry.Time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: entry.Resources ?? [],
    detail,
  };
}

export function listDeadLetters(dlqDir: string, target?: string): Array<{ target: string; file: string; event: BusEvent; error: string }> {
  const letters: Array<{ target: string; file: string; event: BusEvent; error: string }> = [];
  let targets: string[];
  try {
    targets = target === undefined ? readdirSync(dlqDir) : [target];
  } catch {
    return letters;
  }
  for (const name of targets) {
    let files: string[];
    try {
      files = readdirSync(join(dlqDir, name)).filter((file) => file.endsWith('.json'));
    } catch {
      continue;
    }
    for (const file of files) {
      const path = join(dlqDir, name, file);
      const letter = DeadLetterSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
      letters.push({ target: name, file: path, event: letter.event, error: letter.error });
    }
  }
  return letters;
}
