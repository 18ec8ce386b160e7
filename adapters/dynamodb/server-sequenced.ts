import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredEvent } from '#shared/contract/event.ts';
import { BusyError } from '#shared/errors.ts';
import type { AppendCandidate, AppendOutcome } from '#shared/ports.ts';
import { foldEvents, newRunState } from '#shared/run/run-state.ts';
import { assignServerSeqs, compareWithHeld, modeConflict, toStoredEvent, type HeldEvent } from '#shared/run/sequencing.ts';
import { batchGetItems } from './batch-get.ts';
import { eventItem, guardItem, parseGuard, statsUpdate, type VersionedState } from './item-codec.ts';
import { statsDelta } from '#shared/run/stats.ts';
import { guardSk, runPk } from './keys.ts';
import { retryDelayMs, sleep } from './retry.ts';
import { CONTENTION_BUDGET_MS, expiresAt, type AppendPath, type StoreContext } from './store-context.ts';

/** One transaction holds the summary, maybe the tenant's stats, and an event and its guard per event: 2 + 2 x 49 = 100 actions. */
const EVENTS_PER_TRANSACTION = 49;

/**
 * Server-sequenced append. One transaction per chunk puts the run summary (conditioned on its
 * revision: concurrent writers take turns), a guard item per eventId (conditioned on absence:
 * idempotency) and the events at lastSeq+1... All or nothing, so a crash never leaves a gap.
 *
 * Guards are checked optimistically: a retried event fails its guard's condition, and only then
 * are the guards read to tell duplicates from conflicts. Write units per event: 2 x (event item +
 * guard item) + 2 x summary / chunk size.
 */
export const appendServerSequenced: AppendPath = async (context, tenant, runId, initial, pending) => {
  const outcomes = new Map<number, AppendOutcome>();
  let current = initial;
  let remaining = [...pending];
  const deadline = Date.now() + CONTENTION_BUDGET_MS;
  for (let attempt = 0; remaining.length > 0; attempt++) {
    if (current !== undefined && current.state.mode !== 'server') {
      for (const candidate of remaining) outcomes.set(candidate.index, modeConflict(runId, current.state.mode));
      break;
    }
    if (Date.now() > deadline) throw new BusyError(`too many concurrent writers on run '${runId}'; retry the request`, 1);

    const now = context.clock.now();
    const window = remaining.slice(0, EVENTS_PER_TRANSACTION);
    const chunk: Array<{ candidate: AppendCandidate; event: StoredEvent }> = [];
    for (const assignment of assignServerSeqs(current?.state, window, context.limits)) {
      if ('seq' in assignment) {
        chunk.push({ candidate: assignment.candidate, event: toStoredEvent(assignment.candidate.event, assignment.seq, now.toISOString()) });
      } else {
        outcomes.set(assignment.candidate.index, assignment.rejected);
      }
    }
    if (chunk.length === 0) {
      remaining = remaining.slice(window.length);
      continue;
    }

    const base = current?.state ?? newRunState(runId, 'server', now.toISOString());
    const next = foldEvents(base, chunk.map(({ event }) => event), now.toISOString());
    const failure = await commitChunk(context, tenant, current, next, chunk, now);
    if (failure === undefined) {
      for (const { candidate, event } of chunk) outcomes.set(candidate.index, { outcome: 'accepted', seq: event.seq });
      current = { state: next, rev: (current?.rev ?? 0) + 1 };
      context.summaries.remember(tenant, current);
      remaining = remaining.slice(window.length);
      attempt = -1;
      continue;
    }
    if (failure.guardsTaken) {
      // Some events were stored before: answer them from their guards and retry the rest at once.
      const held = await readGuards(context, tenant, runId, chunk.map(({ candidate }) => candidate));
      remaining = remaining.filter((candidate) => {
        const guard = held.get(candidate.event.eventId);
        if (guard !== undefined) outcomes.set(candidate.index, compareWithHeld(candidate, guard));
        return guard === undefined;
      });
    }
    if (failure.summaryMoved) {
      await sleep(retryDelayMs(attempt));
      current = await context.summaries.read(tenant, runId);
    }
  }
  return outcomes;
};

type CommitFailure = { summaryMoved: boolean; guardsTaken: boolean };

async function commitChunk(
  context: StoreContext,
  tenant: string,
  current: VersionedState | undefined,
  next: ReturnType<typeof foldEvents>,
  chunk: ReadonlyArray<{ candidate: AppendCandidate; event: StoredEvent }>,
  now: Date,
): Promise<CommitFailure | undefined> {
  const expiry = expiresAt(context, now);
  const absent = 'attribute_not_exists(pk)';
  const delta = statsDelta(current?.state, next);
  try {
    await context.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: context.summaries.putRequest(tenant, next, current, expiry) },
          // The tenant's counts move in the same transaction as the status: stats always equal a recount.
          ...(delta === undefined ? [] : [{ Update: statsUpdate(context.tableName, tenant, next.runId, delta) }]),
          ...chunk.flatMap(({ candidate, event }) => [
            { Put: { TableName: context.tableName, Item: guardItem(tenant, event, candidate.hash, expiry), ConditionExpression: absent } },
            { Put: { TableName: context.tableName, Item: eventItem(tenant, event, candidate.hash, expiry), ConditionExpression: absent } },
          ]),
        ],
      }),
    );
    return undefined;
  } catch (error: unknown) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    const failed = (index: number) => reasons[index]?.Code === 'ConditionalCheckFailed';
    const offset = delta === undefined ? 1 : 2;
    const guardsTaken = chunk.some((_, position) => failed(offset + 2 * position));
    // A summary that moved, a transaction conflict, or reasons we cannot read: re-read and retry.
    const summaryMoved = failed(0) || !guardsTaken;
    if (summaryMoved) context.summaries.forget(tenant, next.runId);
    return { summaryMoved, guardsTaken };
  }
}

/** The guards held for these candidates' eventIds (consistent reads). */
async function readGuards(
  context: StoreContext,
  tenant: string,
  runId: string,
  candidates: readonly AppendCandidate[],
): Promise<Map<string, HeldEvent>> {
  const pk = runPk(tenant, runId);
  const held = new Map<string, HeldEvent>();
  for (const item of await batchGetItems(context.client, context.tableName, candidates.map(({ event }) => ({ pk, sk: guardSk(event.eventId) })))) {
    const guard = parseGuard(item);
    held.set(guard.eventId, guard);
  }
  return held;
}
