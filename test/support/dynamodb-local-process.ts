import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The pids of the DynamoDB Local JVMs serving `dbPath`, from the process table. DynamoDB Local runs
 * in a process group of its own (local/dynamodb-local.ts), and a stack's JVM is not a child of the
 * test, so its command line (`-dbPath <dbPath>`) is the one handle a test has on it.
 */
export function dynamoDbLocalPids(dbPath: string): number[] {
  const path = resolve(dbPath);
  const listing = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  if (listing.error !== undefined) throw new Error('could not list processes with ps', { cause: listing.error });
  return listing.stdout.split('\n').flatMap((line) => {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match === null) return [];
    const [, pid = '', args = ''] = match;
    const words = args.split(' ');
    const at = words.indexOf('-dbPath');
    return at !== -1 && words[at + 1] === path && words.some((word) => word.endsWith('DynamoDBLocal.jar')) ? [Number(pid)] : [];
  });
}

/** Alive and not a zombie (an orphaned JVM's exit is reaped by init, which a container may do late). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error: unknown) {
    if (error instanceof Error && 'code' in error && error.code === 'ESRCH') return false;
    throw error;
  }
  const state = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
  return state !== '' && !state.startsWith('Z');
}

/** SIGKILL, unless the process is already gone (it may exit between the listing and the signal). */
export function killNow(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error: unknown) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ESRCH')) throw error;
  }
}

/** Waits until none of the pids is alive (they need not be children of this process, so no 'exit' event). */
export async function waitForExit(pids: readonly number[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.filter(isAlive).join(', ')} still alive after ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** SIGKILL to the DynamoDB Local JVMs of `dbPath`, and waits until they are gone: the cleanup a crash test owes. */
export async function killDynamoDbLocal(dbPath: string): Promise<void> {
  const pids = dynamoDbLocalPids(dbPath);
  for (const pid of pids) killNow(pid);
  await waitForExit(pids);
}
