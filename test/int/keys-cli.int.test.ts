import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/dynamodb-api-key-store.ts';
import { runKeys } from '#cli/keys.ts';
import { hashApiKey } from '#shared/auth/api-keys.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';
import { request, startTestStack } from '#test/support/http.ts';

describe('npm run keys', () => {
  it('creates a key shown once, lists it by id only, and revokes it', async () => {
    const table = await makeTestTable();
    const env = { RUNLEDGER_TABLE_NAME: table.tableName, RUNLEDGER_DYNAMODB_ENDPOINT: table.endpoint };
    const store = new DynamoDbApiKeyStore({ client: DynamoDBDocumentClient.from(table.client), tableName: table.tableName });
    const run = async (...argv: string[]) => {
      const lines: string[] = [];
      await runKeys(argv, env, (line) => lines.push(line));
      return lines;
    };

    const created = await run('create', '--tenant', 'acme');
    const key = created[1] ?? '';
    const keyId = /created key ([0-9a-f]{12})/.exec(created[0] ?? '')?.[1] ?? '';
    expect(key).toMatch(/^rl_[A-Za-z0-9_-]{43}$/);
    expect(await store.findTenant(hashApiKey(key))).toBe('acme');

    const listed = await run('list');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toContain(keyId);
    expect(listed[0]).toContain('acme');
    expect(listed.join('\n')).not.toContain(key);

    expect((await run('revoke', '--id', keyId))[0]).toContain('revoked');
    expect(await store.findTenant(hashApiKey(key))).toBeUndefined();
    await expect(run('revoke', '--id', keyId)).rejects.toThrow(/no key with id/);
    await expect(run('create', '--tenant', 'bad tenant')).rejects.toThrow(/--tenant/);
  });

  it("manages the running local stack's keys with no table or endpoint named, finding it through its data dir's stack.json", async () => {
    const stack = await startTestStack();
    try {
      const lines: string[] = [];
      const run = (...argv: string[]) => runKeys(argv, { RUNLEDGER_DATA_DIR: stack.dataDir }, (line) => lines.push(line));
      await run('create', '--tenant', 'initech');
      expect(lines[0]).toBe(`(the local stack at ${stack.url}, from ${stack.dataDir}/stack.json)`);
      const key = lines[2] ?? '';
      expect(key).toMatch(/^rl_/);
      expect((await request(stack.url, 'GET', '/v1/stats', { key })).status).toBe(200);
      lines.length = 0;
      await run('list');
      expect(lines.join('\n')).toContain('initech');
    } finally {
      await stack.stop();
    }
  });

  it('says no local stack is running when neither a table nor an endpoint is named and the data dir has none', async () => {
    await expect(runKeys(['list'], { RUNLEDGER_DATA_DIR: '/nonexistent/runledger' }, () => undefined)).rejects.toThrow(/--table .*no local stack is running with the data dir \/nonexistent\/runledger/);
  });
});
