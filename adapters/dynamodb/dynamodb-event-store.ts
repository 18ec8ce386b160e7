import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { StoredEvent } from '#shared/contract/event.ts';
import { BusyError } from '#shared/errors.ts';
import type { AppendCandidate, AppendOutcome, Clock, EventStore, ListEventsOptions, StoreLimits } from '#shared/ports.ts';
import { foldEvents, newRunState, type RunState, type SequencingMode } from '#shared/run/run-state.ts';
import {
  assignServerSeqs,
  checkProducerSeq,
  collectOutcomes,
  compareWithHeld,
  modeOf,
  screenCandidates,
  toStoredEvent,
} from '#shared/run/sequencing.ts';
import { hasSeq } from '#shared/run/seq-ranges.ts';
import {
  eventItem,
  guardItem,
  parseEventItem,
  parseGuard,
  parseHeldEvent,
  parseSummary,
  summaryItem,
  type VersionedState,
} from './item-codec.ts';
import { eventSk, guardSk, runPk, SUMMARY_SK } from './keys.ts';
import { heldFromFailure } from './condition-failure.ts';
import { KeyedLock } from './keyed-lock.ts';
import { isThrottling, retryDelayMs, sleep } from './retry.ts';

/** One transaction holds the summary plus an event and its guard per event: 1 + 2 x 49 <= 100 actions. */
const EVENTS_PER_TRANSACTION = 49;
/** Conditional puts in flight at once for one producer-sequenced batch. */
const PRODUCER_PUT_CONCURRENCY = 25;
/**
 * How long one append keeps retrying against concurrent writers before answering "busy" (429):
 * well inside API Gateway's 29 s, long enough that only a pathological pile-up on one run hits it.
 */
const CONTENTION_BUDGET_MS = 15_000;

export type DynamoDbEventStoreOptions = {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  readonly limits: StoreLimits;
};

/**
 * The event store on DynamoDB.
 *
 * Server-sequenced runs: one transaction per chunk of events puts the run summary (conditioned on
 * its revision, which makes concurrent writers take turns), a guard item per eventId (conditioned
 * on absence: idempotency) and the event items at lastSeq+1.. . All or nothing, so a crash can
 * never leave a gap. Cost per event: 2 x (event item + guard item) + 2 x summary / chunk size.
 *
 * Producer-sequenced runs: the seq is the producer's, so each event is one conditional put on its
 * seq slot (1 write unit), and the summary is folded once per batch. A crash between the two
 * leaves the summary behind until the producer resends (it will: it got no answer), when the
 * duplicates it sends are folded in.
 */
export class DynamoDbEventStore implements EventStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;
  readonly #limits: StoreLimits;
  readonly #lock = new KeyedLock();

  constructor(options: DynamoDbEventStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock;
    this.#limits = options.limits;
  }

  appendToRun(tenant: string, runId: string, candidates: readonly AppendCandidate[]): Promise<AppendOutcome[]> {
    return this.#lock.run(runPk(tenant, runId), () => throttlingAsBusy(async () => {
      const current = await this.#readSummary(tenant, runId);
      const mode = modeOf(current?.state, candidates);
      const { pending, settled, repeats } = screenCandidates(candidates, mode);
      const outcomes =
        mode === 'server'
          ? await this.#appendServerSequenced(tenant, runId, current, pending)
          : await this.#appendProducerSequenced(tenant, runId, current, pending);
      for (const [index, outcome] of outcomes) settled.set(index, outcome);
      return collectOutcomes(candidates, settled, repeats);
    }));
  }

  getRun(tenant: string, runId: string): Promise<RunState | undefined> {
    return throttlingAsBusy(async () => (await this.#readSummary(tenant, runId))?.state);
  }

  async listEvents(tenant: string, runId: string, { afterSeq, limit }: ListEventsOptions): Promise<StoredEvent[]> {
    const result = await throttlingAsBusy(() => this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': runPk(tenant, runId), ':from': eventSk(afterSeq + 1), ':to': eventSk(9_999_999_999) },
        ConsistentRead: true,
        Limit: limit,
      }),
    ));
    return (result.Items ?? []).map(parseEventItem);
  }

  async #readSummary(tenant: string, runId: string): Promise<VersionedState | undefined> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { pk: runPk(tenant, runId), sk: SUMMARY_SK }, ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : parseSummary(result.Item);
  }

  async #appendServerSequenced(
    tenant: string,
    runId: string,
    initial: VersionedState | undefined,
    pending: AppendCandidate[],
  ): Promise<Map<number, AppendOutcome>> {
    const outcomes = new Map<number, AppendOutcome>();
    let current = initial;
    let remaining = pending;
    const deadline = Date.now() + CONTENTION_BUDGET_MS;
    for (let attempt = 0; remaining.length > 0; attempt++) {
      if (Date.now() > deadline) {
        throw new BusyError(`too many concurrent writers on run '${runId}'; retry the request`, 1);
      }
      remaining = await this.#settleKnownEventIds(tenant, runId, remaining, outcomes);
      if (remaining.length === 0) break;

      const now = this.#clock.now();
      const chunk: Array<{ candidate: AppendCandidate; event: StoredEvent }> = [];
      for (const assignment of assignServerSeqs(current?.state, remaining.slice(0, EVENTS_PER_TRANSACTION), this.#limits)) {
        if ('seq' in assignment) {
          chunk.push({ candidate: assignment.candidate, event: toStoredEvent(assignment.candidate.event, assignment.seq, now.toISOString()) });
        } else {
          outcomes.set(assignment.candidate.index, assignment.rejected);
        }
      }
      const chunkSize = Math.min(EVENTS_PER_TRANSACTION, remaining.length);
      if (chunk.length === 0) {
        remaining = remaining.slice(chunkSize);
        continue;
      }
      const base = current?.state ?? newRunState(runId, 'server', now.toISOString());
      const next = foldEvents(base, chunk.map(({ event }) => event), now.toISOString());
      const committed = await this.#commitServerChunk(tenant, current, next, chunk, now);
      if (committed) {
        for (const { candidate, event } of chunk) outcomes.set(candidate.index, { outcome: 'accepted', seq: event.seq });
        current = { state: next, rev: (current?.rev ?? 0) + 1 };
        remaining = remaining.slice(chunkSize);
        attempt = -1;
      } else {
        await sleep(retryDelayMs(attempt));
        current = await this.#readSummary(tenant, runId);
        if (current !== undefined && current.state.mode !== 'server') {
          for (const candidate of remaining) outcomes.set(candidate.index, modeConflict(runId, current.state.mode));
          remaining = [];
        }
      }
    }
    return outcomes;
  }

  /** Server mode: answers the candidates whose eventId the run already holds, returns the rest. */
  async #settleKnownEventIds(
    tenant: string,
    runId: string,
    candidates: AppendCandidate[],
    outcomes: Map<number, AppendOutcome>,
  ): Promise<AppendCandidate[]> {
    const pk = runPk(tenant, runId);
    const held = new Map<string, { eventId: string; hash: string; seq: number }>();
    for (let start = 0; start < candidates.length; start += 100) {
      let keys: Array<Record<string, string>> = candidates.slice(start, start + 100).map(({ event }) => ({ pk, sk: guardSk(event.eventId) }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await sleep(retryDelayMs(attempt));
        const result = await this.#client.send(
          new BatchGetCommand({ RequestItems: { [this.#tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.#tableName] ?? []) {
          const guard = parseGuard(item);
          held.set(guard.eventId, guard);
        }
        keys = (result.UnprocessedKeys?.[this.#tableName]?.Keys ?? []).map((key) => ({ pk, sk: String(key.sk) }));
      }
    }
    return candidates.filter((candidate) => {
      const guard = held.get(candidate.event.eventId);
      if (guard === undefined) return true;
      outcomes.set(candidate.index, compareWithHeld(candidate, guard));
      return false;
    });
  }

  /** Writes one chunk atomically; false when another writer got there first (retry on fresh state). */
  async #commitServerChunk(
    tenant: string,
    current: VersionedState | undefined,
    next: RunState,
    chunk: Array<{ candidate: AppendCandidate; event: StoredEvent }>,
    now: Date,
  ): Promise<boolean> {
    const expiresAt = this.#expiresAt(now);
    const rev = (current?.rev ?? 0) + 1;
    const absent = 'attribute_not_exists(pk)';
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.#tableName,
                Item: summaryItem(tenant, next, rev, expiresAt),
                ConditionExpression: current === undefined ? absent : 'rev = :rev',
                ...(current === undefined ? {} : { ExpressionAttributeValues: { ':rev': current.rev } }),
              },
            },
            ...chunk.flatMap(({ candidate, event }) => [
              { Put: { TableName: this.#tableName, Item: guardItem(tenant, event, candidate.hash, expiresAt), ConditionExpression: absent } },
              { Put: { TableName: this.#tableName, Item: eventItem(tenant, event, candidate.hash, expiresAt), ConditionExpression: absent } },
            ]),
          ],
        }),
      );
      return true;
    } catch (error: unknown) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }

  async #appendProducerSequenced(
    tenant: string,
    runId: string,
    initial: VersionedState | undefined,
    pending: AppendCandidate[],
  ): Promise<Map<number, AppendOutcome>> {
    const outcomes = new Map<number, AppendOutcome>();
    const current = initial ?? (await this.#claimProducerRun(tenant, runId));
    if (current.state.mode !== 'producer') {
      for (const candidate of pending) outcomes.set(candidate.index, modeConflict(runId, current.state.mode));
      return outcomes;
    }

    const now = this.#clock.now();
    const receivedAt = now.toISOString();
    const toWrite: AppendCandidate[] = [];
    for (const candidate of pending) {
      const refusal = checkProducerSeq(current.state, candidate, toWrite.length, this.#limits);
      if (refusal === undefined) toWrite.push(candidate);
      else outcomes.set(candidate.index, refusal);
    }

    // Events already held but missing from the summary (a crash before the fold last time) are folded now.
    const toFold: StoredEvent[] = [];
    await forEachLimited(toWrite, PRODUCER_PUT_CONCURRENCY, async (candidate) => {
      const event = toStoredEvent(candidate.event, candidate.event.seq ?? 0, receivedAt);
      const held = await this.#putAtSeq(tenant, event, candidate.hash, now);
      const outcome: AppendOutcome = held === undefined ? { outcome: 'accepted', seq: event.seq } : compareWithHeld(candidate, held);
      outcomes.set(candidate.index, outcome);
      if (outcome.outcome !== 'conflict' && !hasSeq(current.state.seqs, event.seq)) toFold.push(event);
    });
    if (toFold.length > 0) await this.#foldIntoSummary(tenant, runId, current, toFold);
    return outcomes;
  }

  /** Creates the summary of a new producer-sequenced run, so a server-sequenced writer cannot claim it too. */
  async #claimProducerRun(tenant: string, runId: string): Promise<VersionedState> {
    const now = this.#clock.now();
    const state = newRunState(runId, 'producer', now.toISOString());
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: summaryItem(tenant, state, 1, this.#expiresAt(now)),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { state, rev: 1 };
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.#readSummary(tenant, runId);
      if (existing === undefined) throw new Error(`run summary for '${runId}' vanished while claiming it`, { cause: error });
      return existing;
    }
  }

  /** Puts an event at its seq unless the slot is taken; returns what holds the slot if it is. */
  async #putAtSeq(tenant: string, event: StoredEvent, hash: string, now: Date) {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: eventItem(tenant, event, hash, this.#expiresAt(now)),
          ConditionExpression: 'attribute_not_exists(pk)',
          // The slot's current holder comes back with the failure: no second read on a retry.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return undefined;
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
      const held = heldFromFailure(error);
      if (held !== undefined) return held;
      const read = await this.#client.send(
        new GetCommand({ TableName: this.#tableName, Key: { pk: runPk(tenant, event.runId), sk: eventSk(event.seq) }, ConsistentRead: true }),
      );
      return parseHeldEvent(read.Item);
    }
  }

  /** Folds newly held events into the summary, retrying on concurrent summary updates. */
  async #foldIntoSummary(tenant: string, runId: string, initial: VersionedState, events: StoredEvent[]): Promise<void> {
    let current = initial;
    const deadline = Date.now() + CONTENTION_BUDGET_MS;
    for (let attempt = 0; Date.now() <= deadline; attempt++) {
      const now = this.#clock.now();
      const next = foldEvents(current.state, events, now.toISOString());
      try {
        await this.#client.send(
          new PutCommand({
            TableName: this.#tableName,
            Item: summaryItem(tenant, next, current.rev + 1, this.#expiresAt(now)),
            ConditionExpression: 'rev = :rev',
            ExpressionAttributeValues: { ':rev': current.rev },
          }),
        );
        return;
      } catch (error: unknown) {
        if (!isConditionFailure(error)) throw error;
        await sleep(retryDelayMs(attempt));
        const fresh = await this.#readSummary(tenant, runId);
        if (fresh === undefined) throw new Error(`run summary for '${runId}' vanished while folding`, { cause: error });
        current = fresh;
      }
    }
    throw new BusyError(`too many concurrent writers on run '${runId}'; retry the request`, 1);
  }

  #expiresAt(now: Date): number {
    return Math.floor(now.getTime() / 1000) + this.#limits.retentionDays * 86_400;
  }
}

/** DynamoDB throttling becomes a BusyError, which the HTTP edge answers with 429 and Retry-After. */
async function throttlingAsBusy<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error: unknown) {
    if (isThrottling(error)) throw new BusyError('the event store is throttling requests; retry shortly', 1, { cause: error });
    throw error;
  }
}

function modeConflict(runId: string, mode: SequencingMode): AppendOutcome {
  return {
    outcome: 'conflict',
    message: `run '${runId}' is ${mode}-sequenced: ${mode === 'server' ? 'its events must not carry seq' : 'every event must carry seq'} (a run is one mode or the other)`,
  };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

async function forEachLimited<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
