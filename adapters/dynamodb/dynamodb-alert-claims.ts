import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AlertClaims, AlertKind } from '#shared/observers/alerting.ts';
import { runPk } from './keys.ts';

/** Alert claims as items beside the run (`A#<kind>`): a conditional put is the "first one wins". */
export class DynamoDbAlertClaims implements AlertClaims {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #retentionDays: number;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; retentionDays: number }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionDays = options.retentionDays;
  }

  async claim(tenant: string, runId: string, kind: AlertKind): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { pk: runPk(tenant, runId), sk: `A#${kind}`, alertedAt: new Date().toISOString(), expiresAt: Math.floor(Date.now() / 1000) + this.#retentionDays * 86_400 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error: unknown) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async release(tenant: string, runId: string, kind: AlertKind): Promise<void> {
    await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: { pk: runPk(tenant, runId), sk: `A#${kind}` } }));
  }
}
