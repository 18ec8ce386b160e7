import { z } from 'zod';
import { friendlyErrorMap } from '#shared/contract/issues.ts';
import { KEY_DEFAULTS, RUN_DEFAULTS } from '#shared/defaults.ts';
import { ITEM_COLLECTION_LIMIT_BYTES, maxEventsPerRunWithin, worstCaseBytesPerEvent } from './limits.ts';

const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** The most events a run may hold before its worst case passes the byTask index's 10 GB item collection cap (infra/limits.ts). */
export const MAX_EVENTS_PER_RUN_LIMIT = maxEventsPerRunWithin();

/** Firehose's default quota of active partitions per stream; AWS raises it to 5,000 on request. */
export const FIREHOSE_DEFAULT_ACTIVE_PARTITIONS = 500;
const FIREHOSE_MAX_ACTIVE_PARTITIONS = 5_000;
/** `https://dash.example.com` or `http://localhost:5173`: what a browser sends in `Origin`. */
const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;

/**
 * The stream cap's ceiling: opening a stream counts the live stream leases with one Query (about
 * 100 bytes a lease), and 5,000 of them stay within a page; past that, raise the account's Lambda
 * concurrency and split the streams over stages (docs/deploy.md).
 */
export const MAX_OPEN_STREAMS_LIMIT = 5000;

/** Lambda keeps this much of an account's concurrency unreserved; a deploy that would leave less fails. */
export const UNRESERVED_MINIMUM = 100;

/**
 * stream-run's reserved concurrency: the cap plus headroom for the answers that hold no stream (429s
 * at the cap, 204s, 404s, each a few milliseconds). The cap itself is counted by the function
 * (RUNLEDGER_MAX_OPEN_STREAMS), so the contract's 429 is what a client sees; past the headroom
 * Lambda throttles and API Gateway answers 500 (it maps a throttled invocation to a 5XX).
 */
export function streamReservedConcurrency(maxOpenStreams: number): number {
  return maxOpenStreams + Math.max(10, Math.ceil(maxOpenStreams / 10));
}

const list = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '') : value),
  z.array(z.string().min(1)),
);

/** On or off: `-c sourceMaps=true` arrives as a string, cdk.json and props as a boolean. */
const flag = z.union([z.boolean(), z.stringbool()], { error: 'must be true or false' });

/**
 * The deployment's configuration: `cdk.json` context and `-c key=value` set keys over
 * RUNLEDGER_DEFAULTS. Parsed with zod at synth time so a bad value fails synth with the key named.
 */
export const RunLedgerConfigSchema = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, { error: 'must be 1-16 lowercase letters, digits or "-", starting with a letter' }),
  retentionDays: z.coerce.number().int().min(1).max(3650),
  maxEventsPerRun: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_EVENTS_PER_RUN_LIMIT, {
      error: `must be at most ${MAX_EVENTS_PER_RUN_LIMIT}: a run of 64 KiB task events takes up to ${worstCaseBytesPerEvent()} bytes each (item, byTask index entry, guard), and the byTask index caps a run at ${ITEM_COLLECTION_LIMIT_BYTES / 1e9} GB`,
    }),
  heartbeatTimeoutSeconds: z.coerce.number().int().min(10).max(86_400),
  maxRunSeconds: z.coerce.number().int().min(60).max(31_536_000),
  alertEmail: z.email({ error: 'must be an email address' }).optional(),
  alertWebhookSecretName: z.string().min(1).optional(),
  throttleRateLimit: z.coerce.number().positive(),
  throttleBurstLimit: z.coerce.number().int().positive(),
  logRetentionDays: z.coerce
    .number()
    .int()
    .refine((days) => RETENTION_DAYS.some((allowed) => allowed === days), { error: `must be one of ${RETENTION_DAYS.join(', ')}` }),
  removalPolicy: z.enum(['retain', 'destroy']),
  /** Browser origins (scheme://host[:port]) whose pages may read the API's answers. */
  corsOrigins: list.pipe(z.array(z.string().regex(ORIGIN, { error: 'each origin must be scheme://host[:port] with no path, e.g. https://dash.example.com' }))).default([]),
  /**
   * `tenant`: archive objects under `tenant=<t>/date=<d>/`, one Firehose partition per tenant and
   * day in a buffer, which runs into the stream's active-partition quota once that many tenants send
   * events within one buffer interval. `date`: under `date=<d>/` only (the tenant stays in every
   * record), so the quota is never in reach.
   */
  archivePartitioning: z.enum(['tenant', 'date']),
  /** The stream's active-partition quota (500 unless AWS raised it): the archive alarms at 80% of it. */
  archiveActivePartitionsQuota: z.coerce.number().int().min(1).max(FIREHOSE_MAX_ACTIVE_PARTITIONS),
  endpointType: z.enum(['regional', 'edge']),
  domainName: z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i, { error: 'must be a DNS name such as api.example.com' }).optional(),
  certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, { error: 'must be an ACM certificate ARN' }).optional(),
  webAclArn: z.string().regex(/^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/.+$/, { error: 'must be a regional WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>)' }).optional(),
  maxOpenStreams: z.coerce.number().int().min(1).max(MAX_OPEN_STREAMS_LIMIT),
  ingestReservedConcurrency: z.coerce.number().int().min(1),
  authorizerReservedConcurrency: z.coerce.number().int().min(1),
  /** The account's Lambda concurrency limit in this region (1,000 unless raised): what the reservations are checked against. */
  accountConcurrency: z.coerce.number().int().min(UNRESERVED_MINIMUM + 1),
  // API Gateway's own limit is 3600 s; 0 turns its authorizer cache off (every request invokes the authorizer).
  authorizerCacheSeconds: z.coerce.number().int().min(0).max(3600),
  keyCacheSeconds: z.coerce.number().min(0).max(3600),
  sourceMaps: flag,
  traceCalls: flag,
  /** Serve the dashboard from S3 behind CloudFront, its origin added to corsOrigins (infra/constructs/dashboard-site.ts). */
  dashboard: flag,
}).superRefine((config, context) => {
  // Lambda refuses a reservation that leaves under 100 unreserved, mid-deploy: refuse it at synth instead.
  const reserved = streamReservedConcurrency(config.maxOpenStreams) + config.ingestReservedConcurrency + config.authorizerReservedConcurrency;
  if (reserved > config.accountConcurrency - UNRESERVED_MINIMUM) {
    context.addIssue({
      code: 'custom',
      path: ['maxOpenStreams'],
      message: `with ingestReservedConcurrency and authorizerReservedConcurrency reserves ${reserved} of accountConcurrency ${config.accountConcurrency}; Lambda keeps ${UNRESERVED_MINIMUM} unreserved, so at most ${config.accountConcurrency - UNRESERVED_MINIMUM} can be reserved (lower them, or raise the account's limit and accountConcurrency)`,
    });
  }
  // A custom domain needs its certificate and a certificate needs its domain: one alone would deploy nothing useful.
  for (const [key, other] of [['domainName', 'certificateArn'], ['certificateArn', 'domainName']] as const) {
    if (config[key] !== undefined && config[other] === undefined) context.addIssue({ code: 'custom', path: [other], message: `is required when ${key} is set (a custom domain needs both)` });
  }
});
export type RunLedgerConfig = z.infer<typeof RunLedgerConfigSchema>;

export const CONFIG_KEYS = Object.keys(RunLedgerConfigSchema.shape) as Array<keyof RunLedgerConfig>;

/** The defaults, as pure data, defined once: the run limits are the functions' own (#shared/defaults.ts). */
export const RUNLEDGER_DEFAULTS: RunLedgerConfig = {
  stage: 'dev',
  ...RUN_DEFAULTS,
  alertEmail: undefined,
  alertWebhookSecretName: undefined,
  throttleRateLimit: 100,
  throttleBurstLimit: 200,
  logRetentionDays: 30,
  removalPolicy: 'retain',
  corsOrigins: [],
  archivePartitioning: 'tenant',
  archiveActivePartitionsQuota: FIREHOSE_DEFAULT_ACTIVE_PARTITIONS,
  endpointType: 'regional',
  domainName: undefined,
  certificateArn: undefined,
  webAclArn: undefined,
  // 110 (streams + headroom) + 200 (the stage's burst) + 50 = 360 reserved of a fresh account's 1,000: 640 stay unreserved (docs/deploy.md).
  maxOpenStreams: 100,
  ingestReservedConcurrency: 200,
  authorizerReservedConcurrency: 50,
  accountConcurrency: 1000,
  ...KEY_DEFAULTS,
  sourceMaps: false,
  traceCalls: false,
  dashboard: false,
};

/** Reads every config key from CDK context over the defaults and validates them together; the error names each bad key. */
export function configFromContext(tryGetContext: (key: string) => unknown): RunLedgerConfig {
  const raw = Object.fromEntries(CONFIG_KEYS.map((key) => [key, emptyAsUndefined(tryGetContext(key)) ?? RUNLEDGER_DEFAULTS[key]]));
  const parsed = RunLedgerConfigSchema.safeParse(raw, { error: friendlyErrorMap });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `context '${issue.path.join('.')}' (-c ${issue.path.join('.')}=...): ${issue.message}`);
    throw new Error(`invalid runledger configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

function emptyAsUndefined(value: unknown): unknown {
  return value === '' || value === null ? undefined : value;
}
