/**
 * Every key of the single events table is built and parsed here (layout documented in
 * table-definition.ts). The partition key prefixes are exported for infra/, whose IAM leading-key
 * conditions and stream filter must match the items these functions build.
 */

/** Run items (summary, events, guards), the tenant's stats and run index entries. */
export const RUN_PK_PREFIX = 'T#';
export const API_KEY_PK_PREFIX = 'K#';
export const ALERT_PK_PREFIX = 'A#';
/** The deadline index's partitions (running runs of every tenant, by shard). */
export const DEADLINE_PK_PREFIX = 'STALE#';

export const SUMMARY_SK = 'RUN';
export const EVENT_SK_PREFIX = 'E#';
export const GUARD_SK_PREFIX = 'I#';
export const KEY_SK = 'KEY';

/** Ten digits keep seqs sorting as strings up to 9,999,999,999, far beyond any run's event limit. */
const SEQ_DIGITS = 10;

export function runPk(tenant: string, runId: string): string {
  return `${RUN_PK_PREFIX}${tenant}#R#${runId}`;
}

/** `T#<tenant>#R#<runId>` back to its parts (tenant ids cannot hold '#'); undefined for any other key. */
export function parseRunPk(pk: string): { tenant: string; runId: string } | undefined {
  const match = /^T#([^#]+)#R#(.+)$/.exec(pk);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { tenant: match[1], runId: match[2] };
}

export function eventSk(seq: number): string {
  return `${EVENT_SK_PREFIX}${seq.toString().padStart(SEQ_DIGITS, '0')}`;
}

export function guardSk(eventId: string): string {
  return `${GUARD_SK_PREFIX}${eventId}`;
}

/** Also takes the start of a hash (a key id): the prefix of the keys it may name. */
export function apiKeyPk(keyHash: string): string {
  return `${API_KEY_PK_PREFIX}${keyHash}`;
}

/** The key hash of an API key item's partition key. */
export function keyHashOf(pk: string): string {
  return pk.startsWith(API_KEY_PK_PREFIX) ? pk.slice(API_KEY_PK_PREFIX.length) : pk;
}

/** Alert claims live apart from run items, under a prefix of their own. */
export function alertPk(tenant: string, runId: string): string {
  return `${ALERT_PK_PREFIX}${tenant}#R#${runId}`;
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
  return `${RUN_PK_PREFIX}${tenant}#STATS#${shard}`;
}

export function statsShardOf(runId: string): number {
  let hash = 2166136261;
  for (let index = 0; index < runId.length; index++) hash = Math.imul(hash ^ runId.charCodeAt(index), 16777619);
  return (hash >>> 0) % STATS_SHARDS;
}
export const STATS_SK = 'STATS';

/** The runs-by-status index's partition of a tenant's runs in one status. */
export function statusIndexPk(tenant: string, status: string): string {
  return `${RUN_PK_PREFIX}${tenant}#S#${status}`;
}

export function threadIndexPk(tenant: string, threadId: string): string {
  return `${RUN_PK_PREFIX}${tenant}#TH#${threadId}`;
}

/**
 * The deadline index spreads running runs of all tenants over shards, so no index partition takes
 * every run's writes; the stale-run detector reads each shard.
 */
export const DEADLINE_SHARDS = 4;

export function deadlineIndexPk(runId: string): string {
  return deadlineShardPk(statsShardOf(runId) % DEADLINE_SHARDS);
}

export function deadlineShardPk(shard: number): string {
  return `${DEADLINE_PK_PREFIX}${shard}`;
}

/**
 * A deadline to the minute: the index key moves once a minute however often the run writes. A
 * reader asking for deadlines up to this minute also gets runs due later in it; it re-checks each.
 */
export function deadlineMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** Open SSE streams' slots, one partition for the whole table (the stream cap is per deployment). */
export const STREAM_SLOT_PK = 'STREAMS';

export function streamSlotSk(index: number): string {
  return `SLOT#${index}`;
}

/** The number of a slot's sort key; undefined for any other key. */
export function streamSlotIndexOf(sk: string): number | undefined {
  const match = /^SLOT#(\d+)$/.exec(sk);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Webhook subscriptions and the delivery ledger live apart from run items, under `W#`, so the
 * functions that manage them are granted these items only:
 *   pk `W#<tenant>#SUBS`                 sk `<subscription id>`       a subscription
 *   pk `W#<tenant>#R#<runId>`            sk `D#<subscriber>#<block:6>` delivered seqs of one block (a number set)
 *   pk `W#<tenant>#R#<runId>`            sk `F#<subscriber>#<seq:10>`  one failed, dead or pending delivery
 *   pk `W#<tenant>#R#<runId>`            sk `R#<subscriber>#<replayId>` one replay of the run to a subscriber
 *   pk `W#<tenant>#DEAD#<subscriber>`    sk `<runId>#<seq:10>`         a dead delivery, found by subscriber (redrive)
 */
export const WEBHOOK_PK_PREFIX = 'W#';
/** Seqs per delivered block: a block's number set stays under 1 KB, so adding to it is one write unit. */
export const DELIVERED_BLOCK_SIZE = 128;

export function subscriptionsPk(tenant: string): string {
  return `${WEBHOOK_PK_PREFIX}${tenant}#SUBS`;
}

export function ledgerPk(tenant: string, runId: string): string {
  return `${WEBHOOK_PK_PREFIX}${tenant}#R#${runId}`;
}

export function deliveredSk(subscriber: string, seq: number): string {
  return `D#${subscriber}#${Math.floor(seq / DELIVERED_BLOCK_SIZE).toString().padStart(6, '0')}`;
}

export function failureSk(subscriber: string, seq: number): string {
  return `F#${subscriber}#${seq.toString().padStart(SEQ_DIGITS, '0')}`;
}

export function replaySk(subscriber: string, replayId: string): string {
  return `R#${subscriber}#${replayId}`;
}

/** A ledger sort key back to its kind, subscriber (and seq of a failure, id of a replay); undefined for any other key. */
export function parseLedgerSk(sk: string): { item: 'delivered' | 'failure'; subscriber: string; seq?: number } | { item: 'replay'; subscriber: string; replayId: string } | undefined {
  const replay = /^R#(.+)#(rpl_[A-Za-z0-9]+)$/.exec(sk);
  if (replay?.[1] !== undefined && replay[2] !== undefined) return { item: 'replay', subscriber: replay[1], replayId: replay[2] };
  const match = /^([DF])#(.+)#(\d+)$/.exec(sk);
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) return undefined;
  return match[1] === 'D' ? { item: 'delivered', subscriber: match[2] } : { item: 'failure', subscriber: match[2], seq: Number(match[3]) };
}

export function deadPk(tenant: string, subscriber: string): string {
  return `${WEBHOOK_PK_PREFIX}${tenant}#DEAD#${subscriber}`;
}

export function deadSk(runId: string, seq: number): string {
  return `${runId}#${seq.toString().padStart(SEQ_DIGITS, '0')}`;
}
