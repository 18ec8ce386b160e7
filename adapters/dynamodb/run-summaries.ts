import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newlyConfirmed } from '#shared/run/confirmed-range.ts';
import { statsDelta } from '#shared/run/stats.ts';
import type { RunState } from '#shared/run/run-state.ts';
import type { StalePolicy } from '#shared/run/staleness.ts';
import { isConditionFailure } from './condition-failure.ts';
import { parseSummary, statsUpdate, summaryItem, type VersionedState } from './item-codec.ts';
import { runPk, SUMMARY_SK } from './keys.ts';

/** How many run summaries one process remembers (oldest forgotten first). */
const CACHE_SIZE = 10_000;

/**
 * Run summary items, read and written with optimistic concurrency on `rev`.
 *
 * Writers remember the summary they last wrote, so a producer streaming batches into its run skips
 * a read per batch. A remembered summary may be stale (another process wrote since): every write
 * is conditioned on `rev`, so a stale one only costs a failed write, then a fresh read.
 */
export class RunSummaries {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #stalePolicy: StalePolicy | undefined;
  readonly #remembered = new Map<string, VersionedState>();

  constructor(client: DynamoDBDocumentClient, tableName: string, stalePolicy?: StalePolicy) {
    this.#client = client;
    this.#tableName = tableName;
    this.#stalePolicy = stalePolicy;
  }

  /** A strongly consistent read (read-your-writes), remembered for the next writer. */
  async read(tenant: string, runId: string): Promise<VersionedState | undefined> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { pk: runPk(tenant, runId), sk: SUMMARY_SK }, ConsistentRead: true }),
    );
    const summary = result.Item === undefined ? undefined : parseSummary(result.Item);
    if (summary === undefined) this.forget(tenant, runId);
    else this.remember(tenant, summary);
    return summary;
  }

  /** The last summary this process saw for the run, else a fresh read. */
  async latest(tenant: string, runId: string): Promise<VersionedState | undefined> {
    return this.#remembered.get(runPk(tenant, runId)) ?? (await this.read(tenant, runId));
  }

  remember(tenant: string, summary: VersionedState): void {
    const key = runPk(tenant, summary.state.runId);
    this.#remembered.delete(key);
    this.#remembered.set(key, summary);
    if (this.#remembered.size > CACHE_SIZE) {
      const oldest = this.#remembered.keys().next();
      if (oldest.done !== true) this.#remembered.delete(oldest.value);
    }
  }

  forget(tenant: string, runId: string): void {
    this.#remembered.delete(runPk(tenant, runId));
  }

  /** The Put of a new revision, for use alone or inside a transaction; it names the seqs it confirms, for the relay. */
  putRequest(tenant: string, state: RunState, previous: VersionedState | undefined, expiresAt: number) {
    return {
      TableName: this.#tableName,
      Item: summaryItem(tenant, state, (previous?.rev ?? 0) + 1, expiresAt, this.#stalePolicy, newlyConfirmed(previous?.state, state)),
      ConditionExpression: previous === undefined ? 'attribute_not_exists(pk)' : 'rev = :rev',
      ...(previous === undefined ? {} : { ExpressionAttributeValues: { ':rev': previous.rev } }),
    };
  }

  /**
   * Writes the next revision; undefined (and forgotten) when another writer got there first. When
   * the run's counted status changes, the tenant's stats move in the same transaction.
   */
  async write(tenant: string, state: RunState, previous: VersionedState | undefined, expiresAt: number): Promise<VersionedState | undefined> {
    const delta = statsDelta(previous?.state, state);
    try {
      if (delta === undefined) await this.#client.send(new PutCommand(this.putRequest(tenant, state, previous, expiresAt)));
      else {
        await this.#client.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: this.putRequest(tenant, state, previous, expiresAt) }, { Update: statsUpdate(this.#tableName, tenant, state.runId, delta) }],
          }),
        );
      }
    } catch (error: unknown) {
      if (!(isConditionFailure(error) || error instanceof TransactionCanceledException)) throw error;
      this.forget(tenant, state.runId);
      return undefined;
    }
    const written = { state, rev: (previous?.rev ?? 0) + 1 };
    this.remember(tenant, written);
    return written;
  }
}
