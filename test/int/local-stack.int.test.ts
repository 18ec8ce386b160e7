import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { resolveConnection } from '#cli/connection.ts';
import { readStackFile } from '#local/stack-file.ts';
import { killHard, startChildStack, type ChildStack } from '#test/support/child-stack.ts';
import { uniqueId } from '#test/support/events.ts';

const freshDataDir = () => mkdtempSync(join(tmpdir(), 'runledger-'));
const onSharedDynamoDb = () => ({ RUNLEDGER_DYNAMODB_ENDPOINT: inject('dynamoDbEndpoint'), RUNLEDGER_TABLE_NAME: uniqueId('start') });
const exitOf = (stack: ChildStack) => new Promise<number | null>((resolve) => stack.process.once('exit', resolve));

/** `npm start` in a child that should refuse to start: its exit code and everything it printed. */
function startRefused(env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['local/main.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (status) => resolve({ status, output }));
  });
}

describe('npm start (local/main.ts)', () => {
  it('says in one line what to install when Java is missing', () => {
    const bin = mkdtempSync(join(tmpdir(), 'nojava-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const result = spawnSync(join(bin, 'node'), ['local/main.ts'], {
      env: { PATH: bin, RUNLEDGER_DATA_DIR: freshDataDir() },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^runledger: DynamoDB Local needs Java 17 or newer.*apt-get install openjdk-17-jre-headless/);
  });

  it('prints where it listens and the exports for that port, writes stack.json the CLI finds it by, serves health, and stops cleanly on SIGTERM', async () => {
    const stack = await startChildStack(onSharedDynamoDb());
    try {
      const port = new URL(stack.url).port;
      expect(port).not.toBe('3000');
      expect(stack.output()).toMatch(/runledger listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(stack.output()).toContain(`export RUNLEDGER_URL=http://127.0.0.1:${port}\n`);
      expect(stack.output()).toMatch(/export RUNLEDGER_API_KEY=rl_dev_\S+\n/);
      expect(readStackFile(stack.dataDir)).toEqual({ pid: stack.process.pid, port: Number(port), url: stack.url, dynamoDbEndpoint: inject('dynamoDbEndpoint'), tableName: expect.any(String) });
      // The CLI and `npm run example` find it too, with nothing exported.
      expect(resolveConnection({ RUNLEDGER_DATA_DIR: stack.dataDir }).url).toBe(stack.url);
      expect(await (await fetch(`${stack.url}/v1/health`)).json()).toEqual({ status: 'ok' });
      const exit = exitOf(stack);
      stack.process.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(existsSync(join(stack.dataDir, 'stack.json'))).toBe(false);
    } finally {
      await killHard(stack.process);
    }
  });

  it('refuses a second stack on the same data dir, naming RUNLEDGER_DATA_DIR, before starting DynamoDB Local', async () => {
    const first = await startChildStack(onSharedDynamoDb());
    try {
      // No endpoint given: the second would start a DynamoDB Local of its own in <dataDir>/dynamodb.
      const second = await startRefused({ RUNLEDGER_DATA_DIR: first.dataDir, PORT: '0' });
      expect(second.status).toBe(1);
      expect(second.output.trim()).toMatch(new RegExp(`^runledger: another runledger stack \\(pid ${first.process.pid} at ${first.url}\\) is using the data dir .*RUNLEDGER_DATA_DIR=`));
      expect(existsSync(join(first.dataDir, 'dynamodb'))).toBe(false);
      expect(readStackFile(first.dataDir)?.pid).toBe(first.process.pid);
    } finally {
      await killHard(first.process);
    }
  });

  it('reports a taken port before starting DynamoDB Local', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const dataDir = freshDataDir();
      const result = await startRefused({ RUNLEDGER_DATA_DIR: dataDir, PORT: String(port) });
      expect(result.status).toBe(1);
      expect(result.output.trim()).toBe(`runledger: port ${port} is in use; set PORT to another one`);
      expect(existsSync(join(dataDir, 'dynamodb'))).toBe(false);
      expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
    } finally {
      holder.close();
    }
  });

  it('restarts on the data dir of a stack killed with SIGKILL (its DynamoDB Local gone with it) and finds its data', { timeout: 150_000 }, async () => {
    const dataDir = freshDataDir();
    const first = await startChildStack({ RUNLEDGER_DATA_DIR: dataDir });
    onTestFinished(() => killHard(first.process));
    const key = /export RUNLEDGER_API_KEY=(\S+)/.exec(first.output())?.[1] ?? '';
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const runId = uniqueId('survivor');
    const stored = await fetch(`${first.url}/v1/runs/${runId}/events`, { method: 'POST', headers, body: JSON.stringify({ eventId: 'e1', type: 'run.started', occurredAt: new Date().toISOString() }) });
    expect(stored.status).toBe(202);
    // DynamoDB Local may answer before a write is on disk (FACTS.md): give it the moment it needs.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await killHard(first.process);

    const second = await startChildStack({ RUNLEDGER_DATA_DIR: dataDir });
    try {
      expect(readStackFile(dataDir)?.pid).toBe(second.process.pid);
      const run = await fetch(`${second.url}/v1/runs/${runId}`, { headers });
      expect(run.status).toBe(200);
    } finally {
      const exit = exitOf(second);
      second.process.kill('SIGTERM');
      await exit;
    }
  });

  it('stops on a terminal Ctrl-C (SIGINT to the whole process group) in order, with no connection-refused noise', async () => {
    const stack = await startChildStack({ RUNLEDGER_DATA_DIR: freshDataDir() }, { detached: true });
    onTestFinished(() => killHard(stack.process));
    const key = /export RUNLEDGER_API_KEY=(\S+)/.exec(stack.output())?.[1] ?? '';
    const posted = await fetch(`${stack.url}/v1/runs/${uniqueId('ctrl-c')}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ eventId: 'e1', type: 'run.started', occurredAt: new Date().toISOString() }),
    });
    expect(posted.status).toBe(202);
    const exit = exitOf(stack);
    const pid = stack.process.pid ?? 0;
    process.kill(-pid, 'SIGINT');
    expect(await exit).toBe(0);
    const afterSignal = stack.output().slice(stack.output().indexOf('SIGINT'));
    expect(afterSignal).not.toMatch(/ECONNREFUSED|connect|retrying|Error|\n\s+at /);
  });
});
