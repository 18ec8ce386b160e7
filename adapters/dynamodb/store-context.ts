import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, StoreLimits } from '#shared/ports.ts';
import type { RunSummaries } from './run-summaries.ts';
import { expiresAt as ttlFor } from './ttl.ts';

/** What the adapter's parts share: the table, the clock, the limits and the run summaries. */
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
