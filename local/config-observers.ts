import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ObserverFilterSchema, toEventPattern } from '#shared/bus/observer-filter.ts';
import { parseBusEvent } from '#shared/bus/published-event.ts';
import type { DeliveredBatch } from '#shared/webhooks/delivered-batch.ts';
import type { DeliveryLedger } from '#shared/webhooks/ports.ts';
import { RETRY_POLICY, type LocalTarget } from './bus/local-bus.ts';
import { localLambdaContext } from './lambda-context.ts';

/** The file `npm start` reads observers of your own from, in the directory it runs in. */
export const CONFIG_FILE = 'runledger.config.json';

const ConfigSchema = z.strictObject({
  observers: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9._-]'),
        handler: z.string().min(1),
        filter: ObserverFilterSchema,
        required: z.boolean().default(false),
      }),
    )
    .default([]),
});

/** The config file is not what it must be; the message names the field. */
export class ObserverConfigError extends Error {
  override readonly name = 'ObserverConfigError';
}

type Handler = (event: unknown, context: unknown) => unknown;
const isHandler = (value: unknown): value is Handler => typeof value === 'function';

/**
 * Your own observers from `runledger.config.json`: each `handler` file (a `.ts` or `.js` module
 * exporting `handler`, the same file CDK's NodejsFunction bundles) becomes a local bus target with
 * the same EventBridge event, the same retry policy and dead letters as the built-in observers,
 * and its deliveries go in the ledger (kind `observer`, under its name).
 */
export async function loadConfigObservers(dir: string, ledger: { ledger: DeliveryLedger; delivered: Pick<DeliveredBatch, 'add'> }): Promise<LocalTarget[]> {
  const file = join(dir, CONFIG_FILE);
  if (!existsSync(file)) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error: unknown) {
    throw new ObserverConfigError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) throw new ObserverConfigError(`${file}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
  const targets: LocalTarget[] = [];
  for (const observer of parsed.data.observers) {
    const path = isAbsolute(observer.handler) ? observer.handler : resolve(dir, observer.handler);
    const loaded: unknown = await import(pathToFileURL(path).href);
    const handler: unknown = typeof loaded === 'object' && loaded !== null && 'handler' in loaded ? loaded.handler : undefined;
    if (!isHandler(handler)) throw new ObserverConfigError(`${file}: observers.${observer.name}: ${observer.handler} does not export a function named handler`);
    const attempts = new Map<string, number>();
    const policy = observer.required ? RETRY_POLICY.required : RETRY_POLICY.optional;
    targets.push({
      name: observer.name,
      pattern: toEventPattern(observer.filter),
      required: observer.required,
      invoke: async (event) => {
        const { detail } = parseBusEvent(event);
        const key = { tenant: detail.tenant, runId: detail.runId, subscriber: observer.name, kind: 'observer' as const };
        try {
          await handler(event, localLambdaContext(observer.name));
        } catch (error: unknown) {
          const attempt = (attempts.get(event.id) ?? 0) + 1;
          attempts.set(event.id, attempt);
          const status = observer.required && attempt >= policy.attempts ? 'dead' : 'failed';
          await ledger.ledger.recordFailure({ ...key, seq: detail.seq, status, attempts: attempt, lastAttemptAt: new Date().toISOString(), lastError: error instanceof Error ? error.message : String(error) });
          throw error;
        }
        attempts.delete(event.id);
        ledger.delivered.add(key, detail.seq);
      },
    });
  }
  return targets;
}
