import * as z from 'zod/mini';
import { friendlyErrorMap } from '#shared/contract/issues.ts';
import { KEY_DEFAULTS, RUN_DEFAULTS } from '#shared/defaults.ts';
import { DEFAULT_ALERT_LEASE_SECONDS } from '#shared/observers/alert-claims.ts';
import { DEFAULT_CLAIM_LEASE_SECONDS } from '#shared/run/append-to-run.ts';
import { parseOrigins } from '../http/cors.ts';

const PatternsSchema = z.array(z.record(z.string(), z.unknown()));

/** A JSON array of EventBridge patterns, as CDK and the local stack write it into one variable. */
const patternList = z.pipe(
  z.string(),
  // zod/mini's transform has no addIssue helper: the issue goes on the payload as classic's would.
  z.transform((text: string, context) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const patterns = PatternsSchema.safeParse(json);
    if (patterns.success) return patterns.data;
    context.issues.push({ code: 'custom', message: 'must be a JSON array of EventBridge patterns', input: text });
    return z.NEVER;
  }),
);

/**
 * Every key any function reads from its environment, parsed once at cold start. Keys only some
 * functions need are optional here; the part that needs one names it when it is missing
 * (requireSetting), so a function fails at cold start, never on its first request.
 */
export const FunctionConfigSchema = z.object({
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /** The events table (every function that reads or writes runs, keys or alert claims). */
  RUNLEDGER_TABLE_NAME: z.optional(z.string().check(z.minLength(1))),
  /** Set locally (DynamoDB Local); unset in AWS. */
  RUNLEDGER_DYNAMODB_ENDPOINT: z.optional(z.url()),
  RUNLEDGER_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.positive()), RUN_DEFAULTS.retentionDays),
  RUNLEDGER_MAX_EVENTS_PER_RUN: z._default(z.coerce.number().check(z.int(), z.positive(), z.lte(1_000_000_000)), RUN_DEFAULTS.maxEventsPerRun),
  /** Ingest: how long a server-sequenced writer's claim on a run's next seqs holds before another writer may take it over (a crashed writer blocks a run at most this long). */
  RUNLEDGER_CLAIM_LEASE_SECONDS: z._default(z.coerce.number().check(z.positive(), z.lte(60)), DEFAULT_CLAIM_LEASE_SECONDS),
  /**
   * Ingest: how server-sequenced events and guards are inserted. `partiql` (AWS, one write unit per
   * item); `transaction` only for DynamoDB Local on disk, which commits each PartiQL statement on
   * its own (the local stack sets it when it keeps its data on disk).
   */
  RUNLEDGER_ITEM_WRITES: z._default(z.enum(['partiql', 'transaction']), 'partiql'),
  /** Stale runs: silent this long, or running this long, time out (a run.started payload may set its own). */
  RUNLEDGER_HEARTBEAT_TIMEOUT_SECONDS: z._default(z.coerce.number().check(z.positive()), RUN_DEFAULTS.heartbeatTimeoutSeconds),
  RUNLEDGER_MAX_RUN_SECONDS: z._default(z.coerce.number().check(z.positive()), RUN_DEFAULTS.maxRunSeconds),
  /** SSE (`GET /v1/runs/{runId}/stream`): how often a stream reads its run. */
  RUNLEDGER_STREAM_POLL_MS: z._default(z.coerce.number().check(z.int(), z.gte(10)), 1000),
  RUNLEDGER_STREAM_HEARTBEAT_MS: z._default(z.coerce.number().check(z.int(), z.gte(10)), 15_000),
  /** Under Lambda's 15-minute limit, so the stream ends cleanly and the client resumes after its last id. */
  RUNLEDGER_STREAM_MAX_MS: z._default(z.coerce.number().check(z.int(), z.gte(1000)), 14 * 60_000),
  RUNLEDGER_STREAM_GAP_GRACE_MS: z._default(z.coerce.number().check(z.int(), z.gte(0)), 5000),
  /** HTTP routes: browser origins (comma-separated) whose pages may read the answers (CORS); none when unset. */
  RUNLEDGER_CORS_ORIGINS: z._default(z.pipe(z.string(), z.transform((text: string): string[] => parseOrigins(text))), []),
  /** SSE: streams open at once over all tenants; the next answers 429 with Retry-After. Unset: no cap (CDK always sets it). */
  RUNLEDGER_MAX_OPEN_STREAMS: z.optional(z.coerce.number().check(z.int(), z.positive())),
  /**
   * Authorizer: how long it remembers a key's grant. A revoked key keeps working this long at most
   * (after `keys revoke` flushes API Gateway's cache); 0 reads the key on every call (the local stack).
   */
  RUNLEDGER_KEY_CACHE_SECONDS: z._default(z.coerce.number().check(z.gte(0), z.lte(3600)), KEY_DEFAULTS.keyCacheSeconds),
  /**
   * Share links (`POST /v1/runs/{runId}/share`) and the authorizer: the signing keys, `id:secret` or
   * `id:secret,id:secret` (current, then previous, so links signed before a rotation keep working). Local stack.
   */
  RUNLEDGER_SHARE_SIGNING_KEYS: z.optional(z.string().check(z.minLength(1))),
  /** The same, AWS: a Secrets Manager secret holding that text (read at cold start, again every 5 minutes, so a rotation takes hold). */
  RUNLEDGER_SHARE_KEYS_SECRET_ARN: z.optional(z.string().check(z.minLength(1))),
  /** Share links: the dashboard a link opens; a path (`/ui/`) is taken on the API's own origin (the local stack serves it there). Unset: no `url`. */
  RUNLEDGER_DASHBOARD_URL: z.optional(z.string().check(z.minLength(1))),
  /** Relay: the bus it publishes to. */
  RUNLEDGER_EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
  /** Relay: every subscription's EventBridge pattern, set by CDK (and the local stack) from the subscriptions. */
  RUNLEDGER_PUBLISH_PATTERNS: z.optional(patternList),
  /** Relay: set locally (the local bus); unset in AWS. */
  RUNLEDGER_EVENTBRIDGE_ENDPOINT: z.optional(z.url()),
  /** Relay and its scheduled redrive, AWS: the queue that keeps what could not be published (also `npm run dlq -- redrive --aws`). */
  RUNLEDGER_RELAY_FAILURES_QUEUE_URL: z.optional(z.url()),
  /** Relay and its redrive timer, local: the same, one JSON file per failure under this directory. */
  RUNLEDGER_RELAY_FAILURES_DIR: z.optional(z.string().check(z.minLength(1))),
  /** Alerting, AWS: the alert topic. */
  RUNLEDGER_ALERT_TOPIC_ARN: z.optional(z.string().check(z.minLength(1))),
  /** Alerting, AWS: a Secrets Manager secret holding the webhook URL. */
  RUNLEDGER_ALERT_WEBHOOK_SECRET_ARN: z.optional(z.string().check(z.minLength(1))),
  /** Alerting, local: the webhook URL itself, and the alerts file. */
  RUNLEDGER_ALERT_WEBHOOK_URL: z.optional(z.url()),
  RUNLEDGER_ALERTS_FILE: z.optional(z.string().check(z.minLength(1))),
  /** Alerting: how long a claim on (run, kind, sink) is held before a redelivery may take it over (shared/observers/alert-claims.ts). */
  RUNLEDGER_ALERT_LEASE_SECONDS: z._default(z.coerce.number().check(z.positive()), DEFAULT_ALERT_LEASE_SECONDS),
  /** Webhooks: how long one delivery may take, connect to last byte; past it the attempt failed. */
  RUNLEDGER_WEBHOOK_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.gte(100), z.lte(60_000)), 10_000),
  /** Webhooks: let subscriptions call loopback addresses (the local stack); private and link-local stay refused. */
  RUNLEDGER_WEBHOOK_ALLOW_LOOPBACK: z._default(z.enum(['true', 'false']), 'false'),
  /** Webhooks: the retry schedule (shared/webhooks/retry-schedule.ts; AWS's when unset). */
  RUNLEDGER_WEBHOOK_RETRY_ATTEMPTS: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  RUNLEDGER_WEBHOOK_RETRY_BASE_MS: z.optional(z.coerce.number().check(z.int(), z.gte(1))),
  RUNLEDGER_WEBHOOK_RETRY_MAX_MS: z.optional(z.coerce.number().check(z.int(), z.gte(1))),
  /** Webhooks: a subscription failing with no success this long is disabled (default 5 days). */
  RUNLEDGER_WEBHOOK_DISABLE_AFTER_SECONDS: z._default(z.coerce.number().check(z.gte(0)), 5 * 86_400),
  /** Webhooks: how long the dispatcher reuses a tenant's subscription list (0: read it for every event). */
  RUNLEDGER_WEBHOOK_CACHE_SECONDS: z._default(z.coerce.number().check(z.gte(0), z.lte(300)), 5),
  /** Webhooks: one slice of an ordered replay (events read, and time) before the replay job goes back on the queue to go on. */
  RUNLEDGER_WEBHOOK_REPLAY_SLICE_EVENTS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(10_000)), 500),
  RUNLEDGER_WEBHOOK_REPLAY_SLICE_MS: z._default(z.coerce.number().check(z.int(), z.gte(100), z.lte(600_000)), 10_000),
  /** Webhooks, AWS: the delivery queue (one message per event and subscription, retries delayed on it). */
  RUNLEDGER_WEBHOOK_QUEUE_URL: z.optional(z.url()),
  /** Metrics, local: where EMF lines go instead of stdout. */
  RUNLEDGER_METRICS_FILE: z.optional(z.string().check(z.minLength(1))),
  /** Powertools reads it too; given here, it also sets the level of loggers made from this config. */
  POWERTOOLS_LOG_LEVEL: z.optional(
    z.pipe(z.pipe(z.string(), z.transform((level: string) => level.toUpperCase())), z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'])),
  ),
});
export type FunctionConfig = z.infer<typeof FunctionConfigSchema>;
export type FunctionConfigKey = keyof FunctionConfig;
/** The configuration as an environment holds it: strings, by key. */
export type FunctionEnvironment = Partial<Record<FunctionConfigKey, string>>;

/** A configuration key is missing or bad. `problems` names each key with what is wrong with it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: ReadonlyArray<{ readonly key: string; readonly message: string }>;

  constructor(problems: ReadonlyArray<{ readonly key: string; readonly message: string }>) {
    super(`invalid function configuration: ${problems.map(({ key, message }) => `${key} ${message}`).join('; ')}`);
    this.problems = problems;
  }
}

/** Parses an environment (Lambda's, or one the local stack builds), failing with every bad key named. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): FunctionConfig {
  const parsed = FunctionConfigSchema.safeParse(env, { error: friendlyErrorMap });
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => ({ key: issue.path.join('.'), message: issue.message })));
  return parsed.data;
}

/** An optional key some part cannot do without: its value, or a ConfigError naming the key and the part. */
export function requireSetting<K extends FunctionConfigKey>(config: FunctionConfig, key: K, neededBy: string): NonNullable<FunctionConfig[K]> {
  const value = config[key];
  if (value === undefined || value === null) throw new ConfigError([{ key, message: `is required (${neededBy} needs it)` }]);
  return value;
}
