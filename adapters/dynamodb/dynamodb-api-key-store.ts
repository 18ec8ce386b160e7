import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { systemClock, type ApiKeyRecord, type ApiKeyStore, type Clock } from '#shared/ports.ts';
import { API_KEY_PK_PREFIX, apiKeyPk, KEY_SK, keyHashOf } from './keys.ts';

const KeyItemSchema = z.object({ pk: z.string(), tenant: z.string(), keyId: z._default(z.string(), ''), createdAt: z._default(z.string(), '') });

/** The id shown for a key: the first 12 hex digits of its hash (the key itself is never stored). */
export function keyIdOf(keyHash: string): string {
  return keyHash.slice(0, 12);
}

/** API keys in the events table: only the key's SHA-256 is stored, never the key. */
export class DynamoDbApiKeyStore implements ApiKeyStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #clock: Clock;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; clock?: Clock }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#clock = options.clock ?? systemClock;
  }

  async findTenant(keyHash: string): Promise<string | undefined> {
    const result = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { pk: apiKeyPk(keyHash), sk: KEY_SK } }));
    return result.Item === undefined ? undefined : KeyItemSchema.parse(result.Item).tenant;
  }

  async saveKey(keyHash: string, tenant: string): Promise<ApiKeyRecord> {
    const record = { keyId: keyIdOf(keyHash), tenant, createdAt: this.#clock.now().toISOString() };
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: { pk: apiKeyPk(keyHash), sk: KEY_SK, ...record } }));
    return record;
  }

  /** An admin listing: scans for key items (a handful), never called on a request path. */
  async listKeys(): Promise<ApiKeyRecord[]> {
    const keys = await this.#scanKeys(API_KEY_PK_PREFIX);
    return keys
      .map((key) => ({ keyId: key.keyId || keyIdOf(keyHashOf(key.pk)), tenant: key.tenant, createdAt: key.createdAt }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async revokeKey(keyId: string): Promise<boolean> {
    const keys = await this.#scanKeys(apiKeyPk(keyId));
    for (const { pk } of keys) await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: { pk, sk: KEY_SK } }));
    return keys.length > 0;
  }

  /** Key items whose partition key starts with the prefix (the hash's start is the key id). */
  async #scanKeys(prefix: string): Promise<Array<z.infer<typeof KeyItemSchema>>> {
    const keys: Array<z.infer<typeof KeyItemSchema>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new ScanCommand({
          TableName: this.#tableName,
          FilterExpression: 'begins_with(pk, :key) AND sk = :sk',
          ExpressionAttributeValues: { ':key': prefix, ':sk': KEY_SK },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) keys.push(KeyItemSchema.parse(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return keys;
  }
}
