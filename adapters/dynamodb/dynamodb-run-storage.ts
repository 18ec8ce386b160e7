import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LoadedRun, RunStorage } from '#shared/ports.ts';
import type { EventWrite, GuardWrite, HeldGuard, StoredAt } from '#shared/run/append-plan.ts';
import type { RunState } from '#shared/run/run-state.ts';
import { batchGetItems } from './batch-get.ts';
import { isConditionFailure } from './condition-failure.ts';
import { insertItems, insertItemsTransactionally, putItems } from './event-writes.ts';
import { eventItem, guardItem, parseEventItem, parseGuard, parseHeldEvent } from './item-codec.ts';
import { eventSk, guardSk, runPk } from './keys.ts';
import { expiresAt, type StoreContext } from './store-context.ts';

/** How guards and events are inserted: PartiQL batches (AWS: one write unit each) or transactions (DynamoDB Local on disk). */
export type ItemWrites = 'partiql' | 'transaction';

/**
 * The append's primitives on DynamoDB (the algorithm: #shared/run/append-to-run.ts), for both
 * sequencing modes. The summary is written with a condition on its revision; guards
 * (`I#<eventId>`) and events (`E#<seq>`) are inserted with PartiQL, each refused if its key
 * exists, in batches of 25 and with no transaction: one write unit per 1 KB item, not two. Events
 * whose producer seq the plan claimed need no condition: BatchWriteItem, the table's full rate.
 */
export class DynamoDbRunStorage implements RunStorage {
  readonly #context: StoreContext;
  readonly #insert: typeof insertItems;

  /** `itemWrites: 'transaction'` is for DynamoDB Local on disk only (event-writes.ts says why). */
  constructor(context: StoreContext, itemWrites: ItemWrites = 'partiql') {
    this.#context = context;
    this.#insert = itemWrites === 'partiql' ? insertItems : insertItemsTransactionally;
  }

  async loadRun(tenant: string, runId: string, fresh: boolean): Promise<LoadedRun | undefined> {
    const summary = fresh ? await this.#context.summaries.read(tenant, runId) : await this.#context.summaries.latest(tenant, runId);
    return summary === undefined ? undefined : { state: summary.state, version: summary.rev };
  }

  async readGuards(tenant: string, runId: string, eventIds: readonly string[]): Promise<Map<string, HeldGuard>> {
    const pk = runPk(tenant, runId);
    const held = new Map<string, HeldGuard>();
    const items = await batchGetItems(this.#context.client, this.#context.tableName, eventIds.map((eventId) => ({ pk, sk: guardSk(eventId) })));
    for (const item of items) {
      const guard = parseGuard(item);
      held.set(guard.eventId, guard);
    }
    return held;
  }

  async readEvents(tenant: string, runId: string, seqs: readonly number[]): Promise<Map<number, StoredAt>> {
    const pk = runPk(tenant, runId);
    const found = new Map<number, StoredAt>();
    for (const item of await batchGetItems(this.#context.client, this.#context.tableName, seqs.map((seq) => ({ pk, sk: eventSk(seq) })))) {
      const held = parseHeldEvent(item);
      found.set(held.seq, { event: parseEventItem(item), hash: held.hash });
    }
    return found;
  }

  async writeRun(tenant: string, state: RunState, previous: LoadedRun | undefined): Promise<number | undefined> {
    const versioned = previous === undefined ? undefined : { state: previous.state, rev: previous.version };
    const written = await this.#context.summaries.write(tenant, state, versioned, expiresAt(this.#context, this.#context.clock.now()));
    return written?.rev;
  }

  async writeItems(tenant: string, _runId: string, guards: readonly GuardWrite[], events: readonly EventWrite[]): Promise<{ written: number[]; complete: boolean }> {
    const expiry = expiresAt(this.#context, this.#context.clock.now());
    const guardOf = (write: GuardWrite) => guardItem(tenant, { runId: _runId, eventId: write.eventId, seq: write.seq }, write.hash, expiry);
    const inserts = guards.filter((write) => write.kind === 'insert');
    const ifFree = events.filter((write) => write.ifFree);
    const claimed = events.filter((write) => !write.ifFree);
    const itemOf = ({ event, hash, dense }: EventWrite) => eventItem(tenant, event, hash, expiry, dense);
    const items = [...inserts.map(guardOf), ...ifFree.map(itemOf)];
    const [inserted, conditional] = await Promise.all([
      items.length === 0 ? [] : this.#insert(this.#context.client, this.#context.tableName, items),
      Promise.all(guards.filter((write) => write.kind !== 'insert').map((write) => this.#putGuard(write, guardOf(write)))),
      claimed.length === 0 ? undefined : putItems(this.#context.client, this.#context.tableName, claimed.map(itemOf)),
    ]);
    const eventsWritten = inserted.slice(inserts.length);
    return {
      written: [...ifFree.flatMap(({ event }, position) => (eventsWritten[position] === true ? [event.seq] : [])), ...claimed.map(({ event }) => event.seq)],
      complete: inserted.every(Boolean) && conditional.every(Boolean),
    };
  }

  /** Replaces a stale guard, or heals a missing one (a heal that finds another guard changes nothing and is not retried). */
  async #putGuard(write: GuardWrite, item: ReturnType<typeof guardItem>): Promise<boolean> {
    const condition =
      write.kind === 'replace'
        ? { ConditionExpression: 'seq = :stale', ExpressionAttributeValues: { ':stale': write.staleSeq } }
        : { ConditionExpression: 'attribute_not_exists(pk) OR seq = :seq', ExpressionAttributeValues: { ':seq': write.seq } };
    try {
      await this.#context.client.send(new PutCommand({ TableName: this.#context.tableName, Item: item, ...condition }));
      return true;
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
      return write.kind === 'heal';
    }
  }
}
