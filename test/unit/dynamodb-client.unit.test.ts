import { describe, expect, it } from 'vitest';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { expiresAt } from '#adapters/dynamodb/ttl.ts';

describe('makeDynamoDbClient', () => {
  it('points at the endpoint override with the placeholder credentials DynamoDB Local accepts', async () => {
    const client = makeDynamoDbClient({ endpoint: 'http://127.0.0.1:8123', region: 'eu-west-1', maxAttempts: 1 });
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'local', secretAccessKey: 'local' });
    expect(await client.config.maxAttempts()).toBe(1);
    const endpoint = await client.config.endpoint?.();
    expect(endpoint).toMatchObject({ hostname: '127.0.0.1', port: 8123, protocol: 'http:' });
  });

  it('leaves endpoint and credentials to the SDK when there is no override (AWS)', () => {
    const client = makeDynamoDbClient({ region: 'eu-west-1' });
    expect(client.config.endpoint).toBeUndefined();
    expect(client.config.isCustomEndpoint).toBe(false);
  });
});

describe('expiresAt', () => {
  it('is the write time in epoch seconds plus the retention in days', () => {
    expect(expiresAt(new Date('2026-11-23T10:00:00.900Z'), 30)).toBe(Math.floor(Date.parse('2026-11-23T10:00:00Z') / 1000) + 30 * 86_400);
  });
});
