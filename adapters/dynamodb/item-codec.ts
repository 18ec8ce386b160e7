import { deflateRawSync, inflateRawSync } from 'node:zlib';
import * as z from 'zod/mini';
import { parseStoredEvent, type StoredEvent } from '#shared/contract/event.ts';
import type { SeqRange } from '#shared/run/confirmed-range.ts';
import { RunStateSchema, taskIdOf, type RunState } from '#shared/run/run-state.ts';
import { runListKey } from '#shared/run/run-summary.ts';
import { stalenessOf, type StalePolicy } from '#shared/run/staleness.ts';
import { countedStatus, emptyStats, type RunStats } from '#shared/run/stats.ts';
import { deadlineIndexPk, deadlineMinute, eventSk, guardSk, runPk, STATS_SK, statsPk, statsShardOf, statusIndexPk, SUMMARY_SK, taskSeqKey, threadIndexPk } from './keys.ts';
import { RUN_STATUSES } from '#shared/run/status.ts';

/**
 * Item shapes of the events table. Bodies are stored deflated: a 1 KiB JSON event shrinks to well
 * under 1 KB, which keeps its item at one write unit (DynamoDB bills per started KB).
 */

export function compress(value: unknown): Uint8Array {
  return deflateRawSync(JSON.stringify(value));
}

function decompress(bytes: Uint8Array): unknown {
  return JSON.parse(inflateRawSync(bytes).toString('utf8'));
}

const BytesSchema = z.instanceof(Uint8Array);

/** `dense`: the event of a server-sequenced run, whose readers stop at the first gap (visible-seqs.ts). */
export function eventItem(tenant: string, event: StoredEvent, hash: string, expiresAt: number, dense = false) {
  const taskId = taskIdOf(event);
  return {
    ...(dense ? { dense } : {}),
    pk: runPk(tenant, event.runId),
    sk: eventSk(event.seq),
    ...(taskId === undefined ? {} : { taskSeq: taskSeqKey(taskId, event.seq) }),
    seq: event.seq,
    eventId: event.eventId,
    type: event.type,
    hash,
    body: compress(event),
    expiresAt,
  };
}

export function guardItem(tenant: string, event: Pick<StoredEvent, 'runId' | 'eventId' | 'seq'>, hash: string, expiresAt: number) {
  return { pk: runPk(tenant, event.runId), sk: guardSk(event.eventId), seq: event.seq, hash, expiresAt };
}

const HeldItemSchema = z.object({ eventId: z.string(), hash: z.string(), seq: z.number() });
const GuardItemSchema = z.object({ sk: z.string(), hash: z.string(), seq: z.number() });
const EventItemSchema = z.object({ body: BytesSchema });
const SummaryItemSchema = z.object({ rev: z.number(), state: BytesSchema });

/** The eventId, hash and seq of an event item read back (producer-mode conflict checks). */
export function parseHeldEvent(item: unknown) {
  return HeldItemSchema.parse(item);
}

/** The eventId, hash and seq of a guard item read back (server-mode duplicate checks). */
export function parseGuard(item: unknown): { eventId: string; hash: string; seq: number } {
  const guard = GuardItemSchema.parse(item);
  return { eventId: guard.sk.slice(2), hash: guard.hash, seq: guard.seq };
}

const DenseSchema = z.object({ dense: z.optional(z.boolean()) });

/** Whether an event item belongs to a server-sequenced run (readers see a dense prefix of those). */
export function isDenseItem(item: unknown): boolean {
  return DenseSchema.parse(item).dense === true;
}

export function parseEventItem(item: unknown): StoredEvent {
  return parseStoredEvent(decompress(EventItemSchema.parse(item).body));
}

/**
 * The run summary item. The full state is one deflated attribute (small, and written whole);
 * the run indexes' keys (table-definition.ts) are top-level attributes. A run enters the indexes
 * with its first stored event (claims alone do not make it a run), and leaves the deadline index
 * when it stops running. `confirmed`: the seqs this revision confirms (server-sequenced), as
 * `confirmedFrom`/`confirmedTo`, top-level so the relay's stream filter can see them; they are on
 * this revision only (a summary is written whole).
 */
export function summaryItem(tenant: string, state: RunState, rev: number, expiresAt: number, stalePolicy?: StalePolicy, confirmed?: SeqRange) {
  const status = countedStatus(state);
  const listed = status === undefined ? {} : { statusKey: statusIndexPk(tenant, status), listKey: runListKey(state) };
  const threaded = status === undefined || state.threadId === undefined ? {} : { threadKey: threadIndexPk(tenant, state.threadId) };
  const staleness = stalenessOf(state, stalePolicy);
  return {
    pk: runPk(tenant, state.runId),
    sk: SUMMARY_SK,
    rev,
    ...listed,
    ...threaded,
    ...(staleness === undefined ? {} : { staleShard: deadlineIndexPk(state.runId), staleAt: deadlineMinute(staleness.deadlineMs) }),
    ...(confirmed === undefined ? {} : { confirmedFrom: confirmed.from, confirmedTo: confirmed.to }),
    state: compress(state),
    expiresAt,
  };
}

export type VersionedState = { state: RunState; rev: number };

export function parseSummary(item: unknown): VersionedState {
  const summary = SummaryItemSchema.parse(item);
  return { rev: summary.rev, state: RunStateSchema.parse(decompress(summary.state)) };
}

/** The transaction action that moves a tenant's counts by a delta (ADD, so concurrent writers add up). */
export function statsUpdate(tableName: string, tenant: string, runId: string, delta: Partial<RunStats>) {
  const entries = Object.entries(delta);
  return {
    TableName: tableName,
    Key: { pk: statsPk(tenant, statsShardOf(runId)), sk: STATS_SK },
    UpdateExpression: `ADD ${entries.map((_, index) => `#s${index} :d${index}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(entries.map(([status], index) => [`#s${index}`, status])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([, change], index) => [`:d${index}`, change])),
  };
}

const StatsItemSchema = z.object(Object.fromEntries(RUN_STATUSES.map((status) => [status, z._default(z.number(), 0)])));

/** The tenant's counts: the sum of its shards. */
export function sumStats(items: readonly unknown[]): RunStats {
  const stats = emptyStats();
  for (const item of items) {
    const parsed = StatsItemSchema.parse(item);
    for (const status of RUN_STATUSES) stats[status] += parsed[status] ?? 0;
  }
  return stats;
}
