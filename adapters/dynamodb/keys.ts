/** Key builders for the single events table (layout documented in table-definition.ts). */

export const SUMMARY_SK = 'RUN';
export const EVENT_SK_PREFIX = 'E#';
export const GUARD_SK_PREFIX = 'I#';
export const KEY_SK = 'KEY';

/** Ten digits keep seqs sorting as strings up to 9,999,999,999, far beyond any run's event limit. */
const SEQ_DIGITS = 10;

export function runPk(tenant: string, runId: string): string {
  return `T#${tenant}#R#${runId}`;
}

export function eventSk(seq: number): string {
  return `${EVENT_SK_PREFIX}${seq.toString().padStart(SEQ_DIGITS, '0')}`;
}

export function guardSk(eventId: string): string {
  return `${GUARD_SK_PREFIX}${eventId}`;
}

export function apiKeyPk(keyHash: string): string {
  return `K#${keyHash}`;
}

/** Alert claims live apart from run items, under a prefix of their own. */
export function alertPk(tenant: string, runId: string): string {
  return `A#${tenant}#R#${runId}`;
}

/** An alert claim's sort key: one per kind and sink, so each sink is sent an alert once. */
export function alertSk(kind: string, sink: string): string {
  return `${kind}#${sink}`;
}

/** The byTask index's sort key of a task event: the task's events sort by seq under its id. */
export function taskSeqKey(taskId: string, seq: number): string {
  return `${taskPrefix(taskId)}${seq.toString().padStart(SEQ_DIGITS, '0')}`;
}

/** Every key of one task starts with this ('#' and '%' in ids are encoded, so no task prefixes another). */
export function taskPrefix(taskId: string): string {
  return `${encodeURIComponent(taskId)}#`;
}

/**
 * The tenant's run counts by status, in shards: every status change of every run of a tenant adds to
 * them inside a transaction, and transactions touching one item at once conflict, so a run writes
 * only its own shard and readers add the shards up. Beside the runs (`T#`), under the run writer's grant.
 */
export const STATS_SHARDS = 8;

export function statsPk(tenant: string, shard: number): string {
  return `T#${tenant}#STATS#${shard}`;
}

export function statsShardOf(runId: string): number {
  let hash = 2166136261;
  for (let index = 0; index < runId.length; index++) hash = Math.imul(hash ^ runId.charCodeAt(index), 16777619);
  return (hash >>> 0) % STATS_SHARDS;
}
export const STATS_SK = 'STATS';

/** The runs-by-status index's partition of a tenant's runs in one status. */
export function statusIndexPk(tenant: string, status: string): string {
  return `T#${tenant}#S#${status}`;
}

export function threadIndexPk(tenant: string, threadId: string): string {
  return `T#${tenant}#TH#${threadId}`;
}

/**
 * The deadline index spreads running runs of all tenants over shards, so no index partition takes
 * every run's writes; the stale-run detector reads each shard.
 */
export const DEADLINE_SHARDS = 4;

export function deadlineIndexPk(runId: string): string {
  return `STALE#${statsShardOf(runId) % DEADLINE_SHARDS}`;
}

/**
 * A deadline to the minute: the index key moves once a minute however often the run writes. A
 * reader asking for deadlines up to this minute also gets runs due later in it; it re-checks each.
 */
export function deadlineMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}
