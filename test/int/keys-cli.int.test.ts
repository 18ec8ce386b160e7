import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/dynamodb-api-key-store.ts';
import { runKeys } from '#cli/keys.ts';
import { hashApiKey } from '#shared/auth/api-keys.ts';
import { makeTestTable } from '#test/support/dynamodb.ts';
import { request, startTestStack } from '#test/support/http.ts';
import { answeringApiGateway, answeringCloudFormation } from '#test/support/sdk-answers.ts';

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
    const keyId = /created write key ([0-9a-f]{12})/.exec(created[0] ?? '')?.[1] ?? '';
    expect(key).toMatch(/^rl_[A-Za-z0-9_-]{43}$/);
    expect(await store.findKey(hashApiKey(key))).toEqual({ tenant: 'acme', scope: 'write' });

    const listed = await run('list');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toContain(keyId);
    expect(listed[0]).toContain('acme');
    expect(listed.join('\n')).not.toContain(key);

    expect((await run('revoke', '--id', keyId))[0]).toContain('revoked');
    expect(await store.findKey(hashApiKey(key))).toBeUndefined();
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

  it('creates a read key that expires, lists its scope and expiry, and refuses a bad scope or duration naming the option', async () => {
    const table = await makeTestTable();
    const env = { RUNLEDGER_TABLE_NAME: table.tableName, RUNLEDGER_DYNAMODB_ENDPOINT: table.endpoint };
    const lines: string[] = [];
    const run = (...argv: string[]) => runKeys(argv, env, (line) => lines.push(line));
    const before = Date.now();
    await run('create', '--tenant', 'acme', '--scope', 'read', '--expires-in', '90d');
    expect(lines[0]).toMatch(/^created read key [0-9a-f]{12} for tenant "acme" \(expires \d{4}-.*Z\)/);
    await run('create', '--tenant', 'acme');
    lines.length = 0;
    await run('list');
    expect(lines).toHaveLength(2);
    const expiry = Date.parse(/expires (\S+)/.exec(lines[0] ?? '')?.[1] ?? '');
    expect(expiry - before).toBeGreaterThanOrEqual(90 * 86_400_000 - 1000);
    expect(expiry - before).toBeLessThan(90 * 86_400_000 + 60_000);
    expect(lines[0]).toMatch(/ acme +read +created /);
    expect(lines[1]).toMatch(/ acme +write +created .* never expires$/);

    await expect(run('create', '--tenant', 'acme', '--expires-in', '90 days')).rejects.toThrow(/--expires-in must be a whole number and one unit/);
    await expect(run('create', '--tenant', 'acme', '--scope', 'admin')).rejects.toThrow(/--scope must be write or read/);
  });

  it('revokes a key of a deployed stack named by --stack and flushes that stage’s authorizer cache', async () => {
    const table = await makeTestTable();
    const cloudFormation = answeringCloudFormation(() => ({
      $metadata: {},
      Stacks: [{ StackName: 'RunLedger-prod', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [
        { OutputKey: 'TableName', OutputValue: table.tableName },
        { OutputKey: 'RestApiId', OutputValue: 'abc123' },
        { OutputKey: 'StageName', OutputValue: 'prod' },
      ] }],
    }));
    const apiGateway = answeringApiGateway(() => ({ $metadata: {} }));
    const lines: string[] = [];
    // DynamoDB Local stands in for the deployed table; the stack's outputs name it.
    const run = (...argv: string[]) => runKeys([...argv, '--stack', 'RunLedger-prod', '--endpoint', table.endpoint], {}, (line) => lines.push(line), { cloudFormation, apiGateway });
    await run('create', '--tenant', 'acme');
    const keyId = /created write key ([0-9a-f]{12})/.exec(lines[0] ?? '')?.[1] ?? '';
    const store = new DynamoDbApiKeyStore({ client: DynamoDBDocumentClient.from(table.client), tableName: table.tableName });
    expect(await store.findKey(hashApiKey(lines[1] ?? ''))).toEqual({ tenant: 'acme', scope: 'write' });
    expect(apiGateway.asked).toEqual([]);

    await run('revoke', '--id', keyId);
    expect(apiGateway.asked).toEqual([{ command: 'FlushStageAuthorizersCacheCommand', input: { restApiId: 'abc123', stageName: 'prod' } }]);
    expect(lines.at(-1)).toMatch(/revoked .*flushed the authorizer cache of API abc123 stage prod/);
    expect(await store.listKeys()).toEqual([]);
  });

  it('says no local stack is running when neither a table nor an endpoint is named and the data dir has none', async () => {
    await expect(runKeys(['list'], { RUNLEDGER_DATA_DIR: '/nonexistent/runledger' }, () => undefined)).rejects.toThrow(/--stack .*--table .*no local stack is running with the data dir \/nonexistent\/runledger/);
  });
});
