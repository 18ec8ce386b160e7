import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/dynamodb-api-key-store.ts';
import { apiKeyPk, KEY_SK } from '#adapters/dynamodb/keys.ts';
import { EVENTS_TABLE } from '#adapters/dynamodb/table-definition.ts';
import { hashApiKey } from '#shared/auth/api-keys.ts';
import { describeApiKeyStoreContract } from '#test/contract/api-key-store.contract.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';

describeApiKeyStoreContract('DynamoDB', async () => {
  const table = await makeTestTable();
  return new DynamoDbApiKeyStore({ client: table.documentClient, tableName: table.tableName });
});

describe('DynamoDbApiKeyStore', () => {
  it('reads a key item written before scopes and expiry as a write key that never expires', async () => {
    const table = await makeTestTable();
    const store = new DynamoDbApiKeyStore({ client: table.documentClient, tableName: table.tableName });
    const keyHash = hashApiKey('rl_an-old-key-from-wave-two');
    await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: { pk: apiKeyPk(keyHash), sk: KEY_SK, tenant: 'acme', keyId: keyHash.slice(0, 12), createdAt: '2026-11-01T00:00:00.000Z' } }));
    expect(await store.findKey(keyHash)).toEqual({ tenant: 'acme', scope: 'write' });
  });

  it('stores the expiry in the table’s TTL attribute (expiresAt, epoch seconds), so DynamoDB deletes the key later', async () => {
    const table = await makeTestTable();
    const store = new DynamoDbApiKeyStore({ client: table.documentClient, tableName: table.tableName });
    const keyHash = hashApiKey('rl_a-key-that-expires');
    await store.saveKey(keyHash, { tenant: 'acme', scope: 'read', expiresAt: new Date('2027-03-01T10:00:00Z') });
    const { Item: item } = await table.documentClient.send(new GetCommand({ TableName: table.tableName, Key: { pk: apiKeyPk(keyHash), sk: KEY_SK } }));
    expect(EVENTS_TABLE.timeToLiveAttribute).toBe('expiresAt');
    expect(item).toMatchObject({ expiresAt: Date.parse('2027-03-01T10:00:00Z') / 1000, scope: 'read' });
  });
});
