import { z } from 'zod';

/** Everything a function reads from its environment, parsed once at cold start. */
export const FunctionConfigSchema = z.object({
  RUNLEDGER_TABLE_NAME: z.string().min(1),
  /** Set locally (DynamoDB Local); unset in AWS. */
  RUNLEDGER_DYNAMODB_ENDPOINT: z.url().optional(),
  RUNLEDGER_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  RUNLEDGER_MAX_EVENTS_PER_RUN: z.coerce.number().int().positive().max(1_000_000_000).default(100_000),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Stale runs: silent this long, or running this long, time out (a run.started payload may set its own). */
  RUNLEDGER_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().positive().default(300),
  RUNLEDGER_MAX_RUN_SECONDS: z.coerce.number().positive().default(86_400),
  /** SSE (`GET /v1/runs/{runId}/stream`): how often a stream reads its run. */
  RUNLEDGER_STREAM_POLL_MS: z.coerce.number().int().min(10).default(1000),
  RUNLEDGER_STREAM_HEARTBEAT_MS: z.coerce.number().int().min(10).default(15_000),
  /** Under Lambda's 15-minute limit, so the stream ends cleanly and the client resumes after its last id. */
  RUNLEDGER_STREAM_MAX_MS: z.coerce.number().int().min(1000).default(14 * 60_000),
  RUNLEDGER_STREAM_GAP_GRACE_MS: z.coerce.number().int().min(0).default(5000),
});
export type FunctionConfig = z.infer<typeof FunctionConfigSchema>;

/** Parses the environment, failing fast with every bad key named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): FunctionConfig {
  const parsed = FunctionConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid function configuration: ${problems}`);
  }
  return parsed.data;
}
