import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { ApiKeyStore } from '#shared/ports.ts';
import { apiKeyPk, KEY_SK } from './keys.ts';

const KeyItemSchema = z.object({ tenant: z.string() });

/** API keys in the events table: only the key's SHA-256 is stored, never the key. */
export class DynamoDbApiKeyStore implements ApiKeyStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async findTenant(keyHash: string): Promise<string | undefined> {
    const result = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { pk: apiKeyPk(keyHash), sk: KEY_SK } }));
    return result.Item === undefined ? undefined : KeyItemSchema.parse(result.Item).tenant;
  }

  async saveKey(keyHash: string, tenant: string): Promise<void> {
    await this.#client.send(
      new PutCommand({ TableName: this.#tableName, Item: { pk: apiKeyPk(keyHash), sk: KEY_SK, tenant, createdAt: new Date().toISOString() } }),
    );
  }
}
