import { z } from 'zod';
import { friendlyErrorMap } from '#shared/contract/issues.ts';
import { RUN_DEFAULTS } from '#shared/defaults.ts';

const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

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
  maxEventsPerRun: z.coerce.number().int().min(1).max(10_000_000),
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
  corsOrigins: list.default([]),
  sourceMaps: flag,
  traceCalls: flag,
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
  sourceMaps: false,
  traceCalls: false,
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
