import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertClaimKey, AlertClaims } from '#shared/observers/alerting.ts';
import { alertPk, alertSk } from './keys.ts';

/**
 * Alert claims, one item per (tenant, run, kind, sink) under their own `A#` keys (so the alerting
 * function can be granted those items and no others): a conditional put is the "first one wins".
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

  async claim(key: AlertClaimKey): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...this.#key(key), alertedAt: new Date().toISOString(), expiresAt: Math.floor(Date.now() / 1000) + this.#retentionDays * 86_400 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error: unknown) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
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
