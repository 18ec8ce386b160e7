import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { StreamSlot, StreamSlots } from '#shared/stream/stream-slots.ts';
import { isConditionFailure } from './condition-failure.ts';
import { STREAM_SLOT_PK, streamSlotIndexOf, streamSlotSk } from './keys.ts';
import { EVENTS_TABLE } from './table-definition.ts';

/** Reads of the slots that lose every race this many times answer "no slot": the client retries later. */
const MAX_ROUNDS = 5;

const SlotItemSchema = z.object({ sk: z.string(), [EVENTS_TABLE.timeToLiveAttribute]: z.number() });

/**
 * Stream slots as `cap` numbered items in the events table (`STREAMS` / `SLOT#<n>`), each held by
 * one lease at a time: taking one is a conditional put that succeeds only if the slot is absent or
 * its lease has expired, so DynamoDB serializes racing streams and more than `cap` are never held.
 * A burst of streams opening at once picks free slots at random, and the losers of a race read the
 * slots again (up to MAX_ROUNDS times) instead of all backing off.
 *
 * A counter item (ADD 1 / ADD -1) would be one write, but a holder that dies without releasing
 * would keep its unit forever; a lease frees itself at its expiry (the table's TTL attribute).
 */
export class DynamoDbStreamSlots implements StreamSlots {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async acquire({ leaseId, cap, now, expiresAt }: { leaseId: string; cap: number; now: Date; expiresAt: Date }): Promise<StreamSlot | undefined> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const held = await this.#heldSlots(nowSeconds);
      const free = Array.from({ length: cap }, (_, index) => index).filter((index) => !held.has(index));
      const index = free[Math.floor(Math.random() * free.length)];
      if (index === undefined) return undefined;
      if (await this.#take(index, leaseId, nowSeconds, Math.ceil(expiresAt.getTime() / 1000))) return { release: () => this.#release(index, leaseId) };
    }
    return undefined;
  }

  async #take(index: number, leaseId: string, nowSeconds: number, expiresAtSeconds: number): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { pk: STREAM_SLOT_PK, sk: streamSlotSk(index), leaseId, [EVENTS_TABLE.timeToLiveAttribute]: expiresAtSeconds },
          ConditionExpression: 'attribute_not_exists(sk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#ttl': EVENTS_TABLE.timeToLiveAttribute },
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return true;
    } catch (error: unknown) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Only this lease's hold: past its expiry another stream may have taken the slot, which must stay taken. */
  async #release(index: number, leaseId: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: { pk: STREAM_SLOT_PK, sk: streamSlotSk(index) },
          ConditionExpression: 'leaseId = :leaseId',
          ExpressionAttributeValues: { ':leaseId': leaseId },
        }),
      );
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** The slot numbers whose lease is live; expired ones wait for TTL's deletion (DynamoDB Local never deletes) and count as free. */
  async #heldSlots(nowSeconds: number): Promise<Set<number>> {
    const held = new Set<number>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: 'pk = :pk',
          ProjectionExpression: 'sk, #ttl',
          ExpressionAttributeNames: { '#ttl': EVENTS_TABLE.timeToLiveAttribute },
          ExpressionAttributeValues: { ':pk': STREAM_SLOT_PK },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const slot = SlotItemSchema.parse(item);
        const index = streamSlotIndexOf(slot.sk);
        if (index !== undefined && slot[EVENTS_TABLE.timeToLiveAttribute] > nowSeconds) held.add(index);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return held;
  }
}
