import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { compilePattern, type CompiledPattern } from '#shared/bus/event-pattern.ts';

/** The event an EventBridge rule hands its Lambda target. */
export type BusEvent = {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
};

const BusEventSchema = z.object({
  version: z.literal('0'),
  id: z.string(),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});
const DeadLetterSchema = z.object({ event: BusEventSchema, error: z.string() });

/** A rule and its target: the local counterpart of one CDK subscription. */
export type LocalTarget = {
  readonly name: string;
  readonly pattern: Record<string, unknown>;
  /** Required observers get more retries and a dead-letter queue; optional ones a logged failure. */
  readonly required: boolean;
  readonly invoke: (event: BusEvent) => Promise<void>;
};

/** Retry policy per kind of observer: the same numbers the CDK rule targets get (infra/). */
export const RETRY_POLICY = {
  required: { attempts: 5, baseDelayMs: 200 },
  optional: { attempts: 2, baseDelayMs: 200 },
} as const;

export type PutEntry = { Source?: string; DetailType?: string; Detail?: string; EventBusName?: string; Time?: Date; Resources?: string[] };

type Rule = LocalTarget & { matches: CompiledPattern };

/**
 * The local EventBridge bus: matches every entry against every rule with our own pattern matcher
 * (full EventBridge syntax), delivers to each matching target in the background with the target's
 * retry policy, and writes what a required target never took to `<dataDir>/dlq/<target>/`.
 */
export class LocalBus {
  readonly #rules: Rule[];
  readonly #dlqDir: string;
  readonly #log: (line: string) => void;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #sleep: (ms: number) => Promise<void>;
  #entries = 0;
  #deliveries = 0;

  constructor(options: { targets: readonly LocalTarget[]; dataDir: string; log?: (line: string) => void; sleep?: (ms: number) => Promise<void> }) {
    this.#rules = options.targets.map((target) => ({ ...target, matches: compilePattern(target.pattern) }));
    this.#dlqDir = join(options.dataDir, 'dlq');
    this.#log = options.log ?? (() => undefined);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** PutEvents: accepts every well-formed entry (returning its id) and delivers it in the background. */
  putEvents(entries: readonly PutEntry[]): Array<{ EventId: string } | { ErrorCode: string; ErrorMessage: string }> {
    this.#entries += entries.length;
    return entries.map((entry) => {
      const event = toBusEvent(entry);
      if (event === undefined) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail, DetailType and Source are required; Detail must be a JSON object' };
      for (const rule of this.#rules) {
        if (!rule.matches(event)) continue;
        this.#deliveries += 1;
        this.#track(this.#deliver(rule, event));
      }
      return { EventId: event.id };
    });
  }

  /** Entries received and deliveries started since the bus started (the benchmark's counts). */
  stats(): { entries: number; deliveries: number } {
    return { entries: this.#entries, deliveries: this.#deliveries };
  }

  /** Resolves once every delivery started so far has finished (tests, clean shutdown). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Dead letters of one target, or of all. */
  listDeadLetters(target?: string): Array<{ target: string; file: string; event: BusEvent; error: string }> {
    return listDeadLetters(this.#dlqDir, target);
  }

  /** Delivers dead letters again (same retry policy); the ones delivered leave the queue. `which` picks some (one tenant's). */
  async redrive(target?: string, which: (event: BusEvent) => boolean = () => true): Promise<{ delivered: number; failed: number }> {
    let delivered = 0;
    let failed = 0;
    for (const letter of this.listDeadLetters(target).filter((candidate) => which(candidate.event))) {
      const rule = this.#rules.find((candidate) => candidate.name === letter.target);
      if (rule === undefined) continue;
      rmSync(letter.file);
      if (await this.#deliver(rule, letter.event)) delivered++;
      else failed++;
    }
    return { delivered, failed };
  }

  #track(delivery: Promise<unknown>): void {
    const tracked = delivery.then(() => undefined);
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
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
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    if (rule.required) {
      const dir = join(this.#dlqDir, rule.name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${event.id}.json`), JSON.stringify({ target: rule.name, error: reason, event }, null, 2));
      this.#log(`observer ${rule.name} failed ${policy.attempts} times on ${event['detail-type']} ${event.id}: dead-lettered (${reason})`);
    } else {
      this.#log(`optional observer ${rule.name} failed on ${event['detail-type']} ${event.id}: ${reason}`);
    }
    return false;
  }
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
