import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredEvent } from '#shared/contract/event.ts';
import { BusyError } from '#shared/errors.ts';
import type { AppendCandidate, AppendOutcome } from '#shared/ports.ts';
import { addClaims, claimHash, claimOf, dropClaims } from '#shared/run/reservations.ts';
import { foldEvents, newRunState, type RunState } from '#shared/run/run-state.ts';
import { hasSeq } from '#shared/run/seq-ranges.ts';
import { checkProducerSeq, compareWithHeld, modeConflict, seqTakenMessage, toStoredEvent, type HeldEvent } from '#shared/run/sequencing.ts';
import { batchGetItems } from './batch-get.ts';
import { heldFromFailure, isConditionFailure } from './condition-failure.ts';
import { eventItem, parseEventItem, parseHeldEvent, type VersionedState } from './item-codec.ts';
import { eventSk, runPk } from './keys.ts';
import { retryDelayMs, sleep } from './retry.ts';
import { CONTENTION_BUDGET_MS, expiresAt, type AppendPath, type StoreContext } from './store-context.ts';

const BATCH_WRITE_SIZE = 25;

type Plan = {
  /** New seqs: claimed in the summary, then written with a plain BatchWriteItem. */
  claim: AppendCandidate[];
  /** Seqs this event claimed in an earlier request that did not finish: written conditionally now. */
  resume: AppendCandidate[];
  /** Seqs the run holds: compared with what is stored there. */
  check: AppendCandidate[];
  settled: Map<number, AppendOutcome>;
};

/**
 * Producer-sequenced append, at about one write unit per event:
 *   1. claim the batch's free seqs in the run summary (one conditional write: the point where
 *      concurrent writers are ordered; a seq claimed by another event is a conflict);
 *   2. write the events with BatchWriteItem, no conditions needed: the seqs are ours;
 *   3. confirm: fold the events into the summary and drop the claims (one more summary write).
 * A crash after 1 leaves claims; the producer's resend of the same events takes them up again
 * (matched by content hash), and any later batch confirms claims whose events it finds stored.
 */
export const appendProducerSequenced: AppendPath = async (context, tenant, runId, initial, pending) => {
  const deadline = Date.now() + CONTENTION_BUDGET_MS;
  let current = initial;
  let plan: Plan;
  for (let attempt = 0; ; attempt++) {
    if (Date.now() > deadline) throw new BusyError(`too many concurrent writers on run '${runId}'; retry the request`, 1);
    if (current !== undefined && current.state.mode !== 'producer') {
      return new Map(pending.map((candidate) => [candidate.index, modeConflict(runId, current?.state.mode ?? 'server')]));
    }
    const state = current?.state ?? newRunState(runId, 'producer', context.clock.now().toISOString());
    plan = planBatch(state, pending, context);
    if (plan.claim.length === 0) break;
    const claims = plan.claim.map((candidate) => ({ seq: candidate.event.seq ?? 0, hash: candidate.hash }));
    const claimed = await context.summaries.write(tenant, addClaims(state, claims), current, expiresAt(context, context.clock.now()));
    if (claimed !== undefined) {
      current = claimed;
      break;
    }
    await sleep(retryDelayMs(attempt));
    current = await context.summaries.read(tenant, runId);
  }

  const outcomes = plan.settled;
  const now = context.clock.now();
  const receivedAt = now.toISOString();
  const toStored = (candidate: AppendCandidate) => toStoredEvent(candidate.event, candidate.event.seq ?? 0, receivedAt);

  for (const [index, held] of await readHeld(context, tenant, runId, plan.check)) outcomes.set(index, held);

  const written: StoredEvent[] = plan.claim.map(toStored);
  await batchWrite(context, tenant, written, plan.claim, now);
  for (const event of written) outcomes.set(indexOf(plan.claim, event), { outcome: 'accepted', seq: event.seq });

  // Resumed claims may already hold their event (a crash after the write): write only if free.
  await Promise.all(
    plan.resume.map(async (candidate) => {
      const event = toStored(candidate);
      const held = await putIfFree(context, tenant, event, candidate.hash, now);
      outcomes.set(candidate.index, held === undefined ? { outcome: 'accepted', seq: event.seq } : compareWithHeld(candidate, held));
      written.push(event);
    }),
  );

  if (current !== undefined && (written.length > 0 || current.state.reserved.length > 0)) {
    await confirm(context, tenant, runId, current, written, deadline);
  }
  return outcomes;
};

function indexOf(candidates: readonly AppendCandidate[], event: StoredEvent): number {
  return candidates.find((candidate) => candidate.event.seq === event.seq)?.index ?? -1;
}

function planBatch(state: RunState, pending: readonly AppendCandidate[], context: StoreContext): Plan {
  const plan: Plan = { claim: [], resume: [], check: [], settled: new Map() };
  for (const candidate of pending) {
    const seq = candidate.event.seq ?? 0;
    const claim = claimOf(state, seq);
    if (hasSeq(state.seqs, seq)) {
      plan.check.push(candidate);
    } else if (claim !== undefined) {
      if (claim === claimHash(candidate.hash)) plan.resume.push(candidate);
      else plan.settled.set(candidate.index, { outcome: 'conflict', seq, message: `seq ${seq} is already claimed by another event` });
    } else {
      const refusal = checkProducerSeq(state, candidate, plan.claim.length, context.limits);
      if (refusal === undefined) plan.claim.push(candidate);
      else plan.settled.set(candidate.index, refusal);
    }
  }
  return plan;
}

/** Seqs the run already holds: duplicate when the same event is stored there, else conflict. */
async function readHeld(
  context: StoreContext,
  tenant: string,
  runId: string,
  candidates: readonly AppendCandidate[],
): Promise<Map<number, AppendOutcome>> {
  const outcomes = new Map<number, AppendOutcome>();
  const stored = await readEvents(context, tenant, runId, candidates.map((candidate) => candidate.event.seq ?? 0));
  for (const candidate of candidates) {
    const seq = candidate.event.seq ?? 0;
    const held = stored.get(seq);
    outcomes.set(
      candidate.index,
      held === undefined
        ? { outcome: 'conflict', seq, message: seqTakenMessage(seq, 'an event no longer stored') }
        : compareWithHeld(candidate, held.held),
    );
  }
  return outcomes;
}

/** Event items at these seqs, with what identifies them (consistent reads). */
async function readEvents(
  context: StoreContext,
  tenant: string,
  runId: string,
  seqs: readonly number[],
): Promise<Map<number, { held: HeldEvent; event: StoredEvent }>> {
  const pk = runPk(tenant, runId);
  const found = new Map<number, { held: HeldEvent; event: StoredEvent }>();
  for (const item of await batchGetItems(context.client, context.tableName, seqs.map((seq) => ({ pk, sk: eventSk(seq) })))) {
    const held = parseHeldEvent(item);
    found.set(held.seq, { held, event: parseEventItem(item) });
  }
  return found;
}

async function batchWrite(context: StoreContext, tenant: string, events: readonly StoredEvent[], candidates: readonly AppendCandidate[], now: Date) {
  const hashBySeq = new Map(candidates.map((candidate) => [candidate.event.seq ?? 0, candidate.hash]));
  const expiry = expiresAt(context, now);
  for (let start = 0; start < events.length; start += BATCH_WRITE_SIZE) {
    let requests = events
      .slice(start, start + BATCH_WRITE_SIZE)
      .map((event) => ({ PutRequest: { Item: eventItem(tenant, event, hashBySeq.get(event.seq) ?? '', expiry) } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 0) await sleep(retryDelayMs(attempt));
      const result = await context.client.send(new BatchWriteCommand({ RequestItems: { [context.tableName]: requests } }));
      const unprocessed = result.UnprocessedItems?.[context.tableName] ?? [];
      requests = requests.filter((request) => unprocessed.some((left) => left.PutRequest?.Item?.sk === request.PutRequest.Item.sk));
    }
  }
}

/** Writes an event unless its slot is already filled; returns the holder if it is. */
async function putIfFree(context: StoreContext, tenant: string, event: StoredEvent, hash: string, now: Date): Promise<HeldEvent | undefined> {
  try {
    await context.client.send(
      new PutCommand({
        TableName: context.tableName,
        Item: eventItem(tenant, event, hash, expiresAt(context, now)),
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return undefined;
  } catch (error: unknown) {
    if (!isConditionFailure(error)) throw error;
    return heldFromFailure(error) ?? { eventId: event.eventId, hash, seq: event.seq };
  }
}

/**
 * Folds the written events into the summary and drops their claims. Claims of other writers whose
 * events are stored by now (they crashed before confirming) are confirmed on the way.
 */
async function confirm(
  context: StoreContext,
  tenant: string,
  runId: string,
  initial: VersionedState,
  written: readonly StoredEvent[],
  deadline: number,
): Promise<void> {
  let current: VersionedState | undefined = initial;
  for (let attempt = 0; current !== undefined; attempt++) {
    if (Date.now() > deadline) throw new BusyError(`too many concurrent writers on run '${runId}'; retry the request`, 1);
    const mine = new Set(written.map((event) => event.seq));
    const orphaned = current.state.reserved.map(([seq]) => seq).filter((seq) => !mine.has(seq));
    const recovered = orphaned.length === 0 ? [] : [...(await readEvents(context, tenant, runId, orphaned)).values()].map(({ event }) => event);
    const events = [...written, ...recovered].filter((event) => !hasSeq(current?.state.seqs ?? [], event.seq));
    const now = context.clock.now();
    const next = dropClaims(foldEvents(current.state, events, now.toISOString()), [...mine, ...recovered.map((event) => event.seq)]);
    if ((await context.summaries.write(tenant, next, current, expiresAt(context, now))) !== undefined) return;
    await sleep(retryDelayMs(attempt));
    current = await context.summaries.read(tenant, runId);
  }
}
