import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { startChildStack } from '#test/support/child-stack.ts';
import { uniqueId } from '#test/support/events.ts';

describe('npm start (local/main.ts)', () => {
  it('says in one line what to install when Java is missing', () => {
    const bin = mkdtempSync(join(tmpdir(), 'nojava-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const result = spawnSync(join(bin, 'node'), ['local/main.ts'], {
      env: { PATH: bin, RUNLEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'runledger-')) },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^runledger: DynamoDB Local needs Java 17 or newer.*apt-get install openjdk-17-jre-headless/);
  });

  it('prints where it listens, serves health, and stops cleanly on SIGTERM', async () => {
    const stack = await startChildStack({ RUNLEDGER_DYNAMODB_ENDPOINT: inject('dynamoDbEndpoint'), RUNLEDGER_TABLE_NAME: uniqueId('start') });
    expect(stack.output()).toMatch(/runledger listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(stack.output()).toMatch(/development API key \(tenant "dev"\): rl_dev_/);
    expect(await (await fetch(`${stack.url}/v1/health`)).json()).toEqual({ status: 'ok' });
    const exit = new Promise<number | null>((resolve) => stack.process.once('exit', resolve));
    stack.process.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
