import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { DEFAULT_KEY_SCOPE, KEY_SCOPES } from '#shared/auth/scopes.ts';
import { systemClock, type ApiKeyGrant, type ApiKeyRecord, type ApiKeyStore, type Clock } from '#shared/ports.ts';
import { API_KEY_PK_PREFIX, apiKeyPk, KEY_SK, keyHashOf } from './keys.ts';

/**
 * A key item. `expiresAt` is the table's TTL attribute (epoch seconds), so DynamoDB deletes an
 * expired key some time later; refusal never waits for that (TTL lags by up to days): the
 * authorizer compares it with its clock. Items written before scopes and expiry have neither.
 */
const KeyItemSchema = z.object({
  pk: z.string(),
  tenant: z.string(),
  keyId: z._default(z.string(), ''),
  createdAt: z._default(z.string(), ''),
  scope: z._default(z.enum(KEY_SCOPES), DEFAULT_KEY_SCOPE),
  expiresAt: z.optional(z.number()),
});
type KeyItem = z.infer<typeof KeyItemSchema>;

function grantOf(item: KeyItem): ApiKeyGrant {
  return { tenant: item.tenant, scope: item.scope, ...(item.expiresAt === undefined ? {} : { expiresAt: new Date(item.expiresAt * 1000) }) };
}

function recordOf(item: KeyItem): ApiKeyRecord {
  return { keyId: item.keyId || keyIdOf(keyHashOf(item.pk)), createdAt: item.createdAt, ...grantOf(item) };
}

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

  async findKey(keyHash: string): Promise<ApiKeyGrant | undefined> {
    const result = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { pk: apiKeyPk(keyHash), sk: KEY_SK } }));
    return result.Item === undefined ? undefined : grantOf(KeyItemSchema.parse(result.Item));
  }

  async saveKey(keyHash: string, grant: ApiKeyGrant): Promise<ApiKeyRecord> {
    const item: KeyItem = {
      pk: apiKeyPk(keyHash),
      keyId: keyIdOf(keyHash),
      createdAt: this.#clock.now().toISOString(),
      tenant: grant.tenant,
      scope: grant.scope,
      // Whole seconds, rounded down, so the stored expiry is never later than the one asked for.
      ...(grant.expiresAt === undefined ? {} : { expiresAt: Math.floor(grant.expiresAt.getTime() / 1000) }),
    };
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: { ...item, sk: KEY_SK } }));
    return recordOf(item);
  }

  /** An admin listing: scans for key items (a handful), never called on a request path. */
  async listKeys(): Promise<ApiKeyRecord[]> {
    const keys = await this.#scanKeys(API_KEY_PK_PREFIX);
    return keys
      .map(recordOf)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async revokeKey(keyId: string): Promise<boolean> {
    const keys = await this.#scanKeys(apiKeyPk(keyId));
    for (const { pk } of keys) await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: { pk, sk: KEY_SK } }));
    return keys.length > 0;
  }

  /** Key items whose partition key starts with the prefix (the hash's start is the key id). */
  async #scanKeys(prefix: string): Promise<KeyItem[]> {
    const keys: KeyItem[] = [];
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
