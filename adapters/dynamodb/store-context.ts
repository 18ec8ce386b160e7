import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppendCandidate, AppendOutcome, Clock, StoreLimits } from '#shared/ports.ts';
import type { VersionedState } from './item-codec.ts';
import type { RunSummaries } from './run-summaries.ts';
import { expiresAt as ttlFor } from './ttl.ts';

/** What the append paths share: the table, the clock, the limits and the run summaries. */
export type StoreContext = {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  readonly limits: StoreLimits;
  readonly summaries: RunSummaries;
};

/** The TTL attribute value for the run's items written at `now`. */
export function expiresAt(context: StoreContext, now: Date): number {
  return ttlFor(now, context.limits.retentionDays);
}

/**
 * How long one append keeps retrying against concurrent writers before answering "busy" (429):
 * well inside API Gateway's 29 s, long enough that only a pathological pile-up on one run hits it.
 */
export const CONTENTION_BUDGET_MS = 15_000;

/** One way of appending screened candidates to a run: outcomes by candidate index. */
export type AppendPath = (
  context: StoreContext,
  tenant: string,
  runId: string,
  current: VersionedState | undefined,
  pending: readonly AppendCandidate[],
) => Promise<Map<number, AppendOutcome>>;
