import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertClaimKey, AlertClaims } from '#shared/observers/alerting.ts';
import { systemClock, type Clock } from '#shared/ports.ts';
import { isConditionFailure } from './condition-failure.ts';
import { alertPk, alertSk } from './keys.ts';
import { expiresAt } from './ttl.ts';

/**
 * Alert claims, one item per (tenant, run, kind, sink) under their own `A#` keys (so the alerting
 * function can be granted those items and no others): a conditional put is the "first one wins".
 */
export class DynamoDbAlertClaims implements AlertClaims {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionDays: number;
  readonly #clock: Clock;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; retentionDays: number; clock?: Clock }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionDays = options.retentionDays;
    this.#clock = options.clock ?? systemClock;
  }

  async claim(key: AlertClaimKey): Promise<boolean> {
    const now = this.#clock.now();
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...this.#key(key), alertedAt: now.toISOString(), expiresAt: expiresAt(now, this.#retentionDays) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error: unknown) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(key: AlertClaimKey): Promise<void> {
    await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: this.#key(key) }));
  }

  #key(key: AlertClaimKey): { pk: string; sk: string } {
    return { pk: alertPk(key.tenant, key.runId), sk: alertSk(key.kind, key.sink) };
  }
}
