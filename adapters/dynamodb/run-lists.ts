import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ListRunsQuery, RunRef, RunsPage } from '#shared/ports.ts';
import { runStatusOf, type RunState } from '#shared/run/run-state.ts';
import { RUN_STATUSES } from '#shared/run/status.ts';
import { batchGetItems } from './batch-get.ts';
import { parseSummary } from './item-codec.ts';
import { DEADLINE_SHARDS, deadlineMinute, deadlineShardPk, parseRunPk, statusIndexPk, SUMMARY_SK, threadIndexPk } from './keys.ts';
import { EVENTS_TABLE } from './table-definition.ts';

type IndexKey = { pk: string; listKey: string };

/** A thread filtered by status examines at most this many index pages for one answer page. */
const MAX_THREAD_PAGES = 5;

/**
 * Run lists from the KEYS_ONLY run indexes (table-definition.ts): the index gives the order, then
 * one strongly consistent BatchGet gives the summaries themselves. Index entries trail their
 * summaries by a moment, so a summary that no longer matches the filter is left out.
 */
export class RunLists {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.#client = client;
    this.#tableName = tableName;
  }

  async listRuns(tenant: string, query: ListRunsQuery): Promise<RunsPage> {
    return query.threadId === undefined ? this.#byStatus(tenant, query) : this.#byThread(tenant, query.threadId, query);
  }

  /**
   * Without a status: the six status partitions are read newest-first and merged. Each read asks
   * for one more than the page, which also tells whether anything follows.
   */
  async #byStatus(tenant: string, { status, limit, before }: ListRunsQuery): Promise<RunsPage> {
    const statuses = status === undefined ? RUN_STATUSES : [status];
    const partitions = await Promise.all(
      statuses.map((one) => this.#queryIndex(EVENTS_TABLE.statusIndex.name, EVENTS_TABLE.statusIndex.partitionKey.name, statusIndexPk(tenant, one), limit + 1, before)),
    );
    const merged = partitions.flatMap((partition) => partition.keys).sort((a, b) => (a.listKey < b.listKey ? 1 : -1));
    const page = merged.slice(0, limit);
    const more = merged.length > limit || partitions.some((partition) => partition.more);
    const runs = (await this.#summaries(page)).filter((state) => status === undefined || runStatusOf(state) === status);
    return { runs, nextBefore: more ? (page.at(-1)?.listKey ?? null) : null };
  }

  async #byThread(tenant: string, threadId: string, { status, limit, before }: ListRunsQuery): Promise<RunsPage> {
    const runs: RunState[] = [];
    let cursor = before;
    for (let page = 0; page < MAX_THREAD_PAGES; page++) {
      // One more than needed tells whether anything follows.
      const need = limit - runs.length;
      const { keys, more } = await this.#queryIndex(EVENTS_TABLE.threadIndex.name, EVENTS_TABLE.threadIndex.partitionKey.name, threadIndexPk(tenant, threadId), need + 1, cursor);
      const taken = keys.slice(0, need);
      const states = await this.#summaries(taken);
      runs.push(...states.filter((state) => status === undefined || runStatusOf(state) === status));
      cursor = taken.at(-1)?.listKey ?? cursor;
      if (keys.length <= need && !more) return { runs, nextBefore: null };
      if (runs.length >= limit) break;
    }
    return { runs, nextBefore: cursor ?? null };
  }

  /**
   * Running runs whose deadline minute has come, from every shard of the deadline index: a
   * superset (runs due later this minute too), as the port allows; the detector re-checks each.
   */
  async listStaleRuns(now: Date, limit: number): Promise<RunRef[]> {
    const due = deadlineMinute(now.getTime());
    const shards = await Promise.all(
      Array.from({ length: DEADLINE_SHARDS }, (_, shard) =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            IndexName: EVENTS_TABLE.deadlineIndex.name,
            KeyConditionExpression: '#shard = :shard AND #at <= :due',
            ExpressionAttributeNames: { '#shard': EVENTS_TABLE.deadlineIndex.partitionKey.name, '#at': EVENTS_TABLE.deadlineIndex.sortKey.name },
            ExpressionAttributeValues: { ':shard': deadlineShardPk(shard), ':due': due },
            Limit: limit,
          }),
        ),
      ),
    );
    return shards
      .flatMap((result) => result.Items ?? [])
      .slice(0, limit)
      .map((item) => refOf(String(item.pk)));
  }

  async #queryIndex(indexName: string, partitionName: string, partition: string, limit: number, before: string | undefined): Promise<{ keys: IndexKey[]; more: boolean }> {
    const result = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: indexName,
        KeyConditionExpression: before === undefined ? '#p = :p' : '#p = :p AND listKey < :before',
        ExpressionAttributeNames: { '#p': partitionName },
        ExpressionAttributeValues: { ':p': partition, ...(before === undefined ? {} : { ':before': before }) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const keys = (result.Items ?? []).map((item) => ({ pk: String(item.pk), listKey: String(item.listKey) }));
    return { keys, more: result.LastEvaluatedKey !== undefined };
  }

  /** The summaries of the listed runs, in list order; runs gone since (TTL) are skipped. */
  async #summaries(keys: readonly IndexKey[]): Promise<RunState[]> {
    const byRunId = new Map<string, RunState>();
    // An index can list a run twice for a moment while it moves (its entries trail the table).
    const unique = [...new Set(keys.map(({ pk }) => pk))];
    // One tenant's runs: the run id names each summary.
    for (const item of await batchGetItems(this.#client, this.#tableName, unique.map((pk) => ({ pk, sk: SUMMARY_SK })))) {
      const { state } = parseSummary(item);
      byRunId.set(state.runId, state);
    }
    return unique.flatMap((pk) => byRunId.get(refOf(pk).runId) ?? []);
  }
}

function refOf(pk: string): RunRef {
  const ref = parseRunPk(pk);
  if (ref === undefined) throw new Error(`not a run key: ${pk}`);
  return ref;
}
