import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { AlertClaimKey, AlertClaims, ClaimResult } from '#shared/observers/alert-claims.ts';
import { isConditionFailure } from './condition-failure.ts';
import { alertPk, alertSk } from './keys.ts';
import { expiresAt } from './ttl.ts';

/** The claim a refused put found, raw as DynamoDB returns it under ReturnValuesOnConditionCheckFailure ALL_OLD. */
const FoundClaimSchema = z.object({
  Item: z.object({ state: z.object({ S: z.string() }).optional(), leaseUntil: z.object({ N: z.string() }).optional() }),
});

/** A refused claim came back without a readable item, so whether it is held or sent is unknown. */
export class UnreadableAlertClaimError extends Error {
  override readonly name = 'UnreadableAlertClaimError';
}

/**
 * Alert claims as leases, one item per (tenant, run, kind, sink) under their own `A#` keys (so
 * the alerting function can be granted those items and no others). A claim is one conditional
 * put that wins on a free key or a lapsed pending lease and, when refused, returns the item it
 * found (no second read). Items written before leases (`alertedAt`, no `state`) count as sent.
 */
export class DynamoDbAlertClaims implements AlertClaims {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionDays: number;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; retentionDays: number }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionDays = options.retentionDays;
  }

  async claim(key: AlertClaimKey, now: Date, leaseUntil: Date): Promise<ClaimResult> {
    const token = randomUUID();
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...this.#key(key),
            state: 'pending',
            leaseUntil: leaseUntil.getTime(),
            leaseToken: token,
            claimedAt: now.toISOString(),
            expiresAt: expiresAt(now, this.#retentionDays),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :pending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': 'pending', ':now': now.getTime() },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { status: 'claimed', token };
    } catch (error: unknown) {
      if (!isConditionFailure(error)) throw error;
      return foundClaim(error);
    }
  }

  async markSent(key: AlertClaimKey, now: Date): Promise<void> {
    // Unconditional: the sink accepted the alert, whoever holds the lease now. The expiry is kept,
    // or set if a release deleted the item meanwhile, so a sent record never outlives retention.
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: this.#key(key),
        UpdateExpression: 'SET #state = :sent, sentAt = :now, expiresAt = if_not_exists(expiresAt, :expiresAt) REMOVE leaseUntil, leaseToken',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sent': 'sent', ':now': now.toISOString(), ':expiresAt': expiresAt(now, this.#retentionDays) },
      }),
    );
  }

  async release(key: AlertClaimKey, token: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: this.#key(key),
          ConditionExpression: '#state = :pending AND leaseToken = :token',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': 'pending', ':token': token },
        }),
      );
    } catch (error: unknown) {
      // Refused: the claim is sent, or another delivery took the lapsed lease over. Neither is ours to give back.
      if (!isConditionFailure(error)) throw error;
    }
  }

  #key(key: AlertClaimKey): { pk: string; sk: string } {
    return { pk: alertPk(key.tenant, key.runId), sk: alertSk(key.kind, key.sink) };
  }
}

function foundClaim(error: Error): ClaimResult {
  const found = FoundClaimSchema.safeParse(error);
  if (!found.success) throw new UnreadableAlertClaimError('a refused alert claim returned no item', { cause: error });
  const { state, leaseUntil } = found.data.Item;
  // 'sent', or no state at all: a claim from before leases, which the observer of then skipped too.
  if (state?.S !== 'pending') return { status: 'sent' };
  if (leaseUntil === undefined) throw new UnreadableAlertClaimError('a pending alert claim has no leaseUntil', { cause: error });
  return { status: 'held', leaseUntil: new Date(Number(leaseUntil.N)) };
}
