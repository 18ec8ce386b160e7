/**
 * The run limits every part of runledger defaults to: the CDK props and context (infra/), the
 * functions' configuration (functions/runtime/config.ts) and the stale-run policy. Defined once
 * here so a deployment, a function and the local stack cannot disagree.
 */
export const RUN_DEFAULTS = {
  /** Days every stored item lives (DynamoDB TTL). */
  retentionDays: 30,
  /**
   * Events past this many in one run are rejected. In AWS a run's worst case (64 KiB task events)
   * must stay under the events table's 10 GB item collection cap: at most ~71,000 (infra/limits.ts).
   */
  maxEventsPerRun: 50_000,
  /** A running run silent this long is timed out. */
  heartbeatTimeoutSeconds: 300,
  /** A run running this long is timed out, however busy. */
  maxRunSeconds: 86_400,
} as const;

/**
 * The scheduled relay failures redrive stops taking new failures once less than this is left of
 * its invocation: one failure (a page of reads, PutEvents with the SDK's retries, a delete) ends
 * well within it, so a pass never times out holding failures. CDK checks the function's timeout
 * against it.
 */
export const REDRIVE_TIME_RESERVE_MS = 30_000;

/**
 * Key lifecycle defaults: the CDK props (infra/) and the authorizer's configuration. API Gateway
 * caches an authorizer answer per key for `authorizerCacheSeconds` (`keys revoke --stack` flushes
 * it); the authorizer function remembers a key's grant for `keyCacheSeconds`, which is then how
 * long a revoked key keeps working at most.
 */
export const KEY_DEFAULTS = {
  authorizerCacheSeconds: 300,
  keyCacheSeconds: 5,
} as const;
