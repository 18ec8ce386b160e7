import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RunStats } from '#shared/run/stats.ts';
import type { StoredEvent } from '#shared/contract/event.ts';
import { BusyError, StoreUnavailableError } from '#shared/errors.ts';
import type { AppendCandidate, AppendOutcome, Clock, EventStore, ListEventsOptions, ListRunsQuery, RunRef, RunsPage, StoreLimits } from '#shared/ports.ts';
import type { RunState } from '#shared/run/run-state.ts';
import { collectOutcomes, modeOf, screenCandidates } from '#shared/run/sequencing.ts';
import { batchGetItems } from './batch-get.ts';
import { isDenseItem, parseEventItem, sumStats } from './item-codec.ts';
import { densePrefix, withinConfirmed } from '#shared/run/visible-seqs.ts';
import { lastSeqOf } from '#shared/run/run-state.ts';
import { eventSk, runPk, STATS_SHARDS, STATS_SK, statsPk, taskSeqKey } from './keys.ts';
import { EVENTS_TABLE } from './table-definition.ts';
import { AppendGroups } from '#shared/run/group-appends.ts';
import { isThrottling, isTransient } from './retry.ts';
import { RunLists } from './run-lists.ts';
import { RunSummaries } from './run-summaries.ts';
import type { StoreContext } from './store-context.ts';
import { DynamoDbRunStorage, type ItemWrites } from './dynamodb-run-storage.ts';
import { DEFAULT_CLAIM_LEASE_SECONDS, makeAppendToRun, type AppendToRun } from '#shared/run/append-to-run.ts';
import type { RunStorage } from '#shared/ports.ts';

export type DynamoDbEventStoreOptions = {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  readonly limits: StoreLimits;
  /** How long a crashed writer's claim blocks a server-sequenced run. @default DEFAULT_CLAIM_LEASE_SECONDS */
  readonly claimLeaseSeconds?: number;
  /** How server-sequenced events and guards are inserted. @default 'partiql' */
  readonly itemWrites?: ItemWrites;
  /** Wraps the storage primitives (tests inject crashes and pauses between them). */
  readonly wrapStorage?: (storage: RunStorage) => RunStorage;
};

/**
 * The event store on DynamoDB (table layout: table-definition.ts). Appends of both sequencing
 * modes run the one use case (#shared/run/append-to-run.ts) over this adapter's primitives
 * (dynamodb-run-storage.ts), as every other adapter does, and pass the same contract suite.
 */
export class DynamoDbEventStore implements EventStore {
  readonly #context: StoreContext;
  readonly #groups = new AppendGroups();
  readonly #lists: RunLists;
  readonly #append: AppendToRun;

  constructor(options: DynamoDbEventStoreOptions) {
    this.#context = { ...options, summaries: new RunSummaries(options.client, options.tableName, options.limits.stalePolicy) };
    this.#lists = new RunLists(options.client, options.tableName);
    const storage = new DynamoDbRunStorage(this.#context, options.itemWrites);
    this.#append = makeAppendToRun({
      storage: options.wrapStorage?.(storage) ?? storage,
      clock: options.clock,
      limits: options.limits,
      leaseMs: (options.claimLeaseSeconds ?? DEFAULT_CLAIM_LEASE_SECONDS) * 1000,
    });
  }

  listRuns(tenant: string, query: ListRunsQuery): Promise<RunsPage> {
    return throttlingAsBusy(() => this.#lists.listRuns(tenant, query));
  }

  listStaleRuns(now: Date, limit: number): Promise<RunRef[]> {
    return throttlingAsBusy(() => this.#lists.listStaleRuns(now, limit));
  }

  appendToRun(tenant: string, runId: string, candidates: readonly AppendCandidate[]): Promise<AppendOutcome[]> {
    return this.#groups.append(runPk(tenant, runId), candidates, (batch) =>
      throttlingAsBusy(async () => {
        const current = await this.#context.summaries.latest(tenant, runId);
        const mode = modeOf(current?.state, batch);
        const { pending, settled, repeats } = screenCandidates(batch, mode);
        const appended = await this.#append(tenant, runId, pending);
        for (const [index, outcome] of appended) settled.set(index, outcome);
        return collectOutcomes(batch, settled, repeats);
      }),
    );
  }

  getStats(tenant: string): Promise<RunStats> {
    return throttlingAsBusy(async () => {
      const keys = Array.from({ length: STATS_SHARDS }, (_, shard) => ({ pk: statsPk(tenant, shard), sk: STATS_SK }));
      const items = await batchGetItems(this.#context.client, this.#context.tableName, keys);
      return sumStats(items);
    });
  }

  getRun(tenant: string, runId: string): Promise<RunState | undefined> {
    return throttlingAsBusy(async () => (await this.#context.summaries.read(tenant, runId))?.state);
  }

  async listEvents(tenant: string, runId: string, { afterSeq, limit }: ListEventsOptions): Promise<StoredEvent[]> {
    const result = await throttlingAsBusy(() =>
      this.#context.client.send(
        new QueryCommand({
          TableName: this.#context.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': runPk(tenant, runId), ':from': eventSk(afterSeq + 1), ':to': eventSk(9_999_999_999) },
          ConsistentRead: true,
          Limit: limit,
        }),
      ),
    );
    const items = result.Items ?? [];
    const events = items.map(parseEventItem);
    return items.some(isDenseItem) ? densePrefix(events, afterSeq) : events;
  }

  async listTaskEvents(tenant: string, runId: string, taskId: string, { afterSeq, limit }: ListEventsOptions): Promise<StoredEvent[]> {
    const result = await throttlingAsBusy(() =>
      this.#context.client.send(
        new QueryCommand({
          TableName: this.#context.tableName,
          IndexName: EVENTS_TABLE.taskIndex.name,
          KeyConditionExpression: 'pk = :pk AND taskSeq BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': runPk(tenant, runId), ':from': taskSeqKey(taskId, afterSeq + 1), ':to': taskSeqKey(taskId, 9_999_999_999) },
          ConsistentRead: true,
          Limit: limit,
        }),
      ),
    );
    const items = result.Items ?? [];
    const events = items.map(parseEventItem);
    if (!items.some(isDenseItem)) return events;
    // Task seqs are sparse, so a gap says nothing: the run's confirmed prefix bounds the page.
    const run = await throttlingAsBusy(() => this.#context.summaries.read(tenant, runId));
    return withinConfirmed(events, run === undefined ? 0 : lastSeqOf(run.state));
  }
}

/**
 * DynamoDB throttling becomes a BusyError (429 with Retry-After at the HTTP edge), and a store that
 * did not answer a StoreUnavailableError (503 with Retry-After): both ask the caller to send the same
 * request again, which OTLP exporters and runledger's clients do, where a 500 would not be retried.
 */
async function throttlingAsBusy<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error: unknown) {
    if (isThrottling(error)) throw new BusyError('the event store is throttling requests; retry shortly', 1, { cause: error });
    if (isTransient(error)) throw new StoreUnavailableError('the event store did not answer in time; retry shortly', 1, { cause: error });
    throw error;
  }
}
