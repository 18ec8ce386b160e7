import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '#local/dynamodb-local.ts';

export type ChildStack = { url: string; process: ChildProcess; output: () => string; dataDir: string };

/**
 * `npm start`'s entry point in a child process, so a test can kill it with SIGKILL mid-request.
 * `detached` gives it a process group of its own, for signalling the group as a terminal's Ctrl-C does.
 */
export async function startChildStack(env: Record<string, string>, options: { detached?: boolean } = {}): Promise<ChildStack> {
  const port = await freePort();
  const dataDir = env.RUNLEDGER_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'runledger-'));
  const child = spawn(process.execPath, ['local/main.ts'], {
    env: { ...process.env, PORT: String(port), RUNLEDGER_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group (DynamoDB Local included, when the stack starts one): see killGroup.
    detached: options.detached === true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local stack did not start: ${output}`)), 60_000);
    const check = () => {
      if (output.includes('runledger listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited with ${code}: ${output}`));
    });
  });
  return { url, process: child, output: () => output, dataDir };
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** SIGKILL to the whole process group of a stack started with `detached`: Node and DynamoDB Local at once. */
export function killGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const pid = child.pid;
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(-pid, 'SIGKILL');
  });
}
