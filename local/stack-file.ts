import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/** Another live stack holds the data dir: two would run two DynamoDB Locals on the same files and deliver every event twice. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

/**
 * `<dataDir>/stack.json`: the data dir's lock and, once the stack listens, where it is. Created
 * exclusively (O_EXCL) holding the pid, so one stack owns a data dir at a time; filled in with the
 * URLs when the stack is up, for `npm run keys` and the CLI to find it; removed at stop.
 */
const StackFileSchema = z.object({
  pid: z.number().int(),
  port: z.number().int().optional(),
  url: z.string().optional(),
  dynamoDbEndpoint: z.string().optional(),
  tableName: z.string().optional(),
});
export type StackFile = z.infer<typeof StackFileSchema>;
export type RunningStackFile = Required<StackFile>;

export type DataDirClaim = {
  /** Says where the stack is, once it listens. */
  publish(info: Omit<RunningStackFile, 'pid'>): void;
  /** Gives the data dir up (only if this process still holds it). */
  release(): void;
};

export const stackFilePath = (dataDir: string): string => join(dataDir, 'stack.json');

/**
 * Takes the data dir for this process, or throws DataDirInUseError naming the live holder. A file
 * left by a stack that died (kill -9, a crash) names a dead pid and is taken over.
 */
export function claimDataDir(dataDir: string): DataDirClaim {
  const file = stackFilePath(dataDir);
  const mine = { pid: process.pid };
  // Twice: the second try follows removing a dead holder's file.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      return {
        publish: (info) => writeFileSync(file, `${JSON.stringify({ ...mine, ...info }, null, 2)}\n`, { mode: 0o600 }),
        release: () => {
          if (readStackFile(dataDir)?.pid === process.pid) rmSync(file, { force: true });
        },
      };
    } catch (error: unknown) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    }
    const holder = readStackFile(dataDir);
    if (holder !== undefined && isAlive(holder.pid)) {
      const where = holder.url === undefined ? '' : ` at ${holder.url}`;
      throw new DataDirInUseError(
        `another runledger stack (pid ${holder.pid}${where}) is using the data dir ${resolve(dataDir)}; stop it, or give this one a data dir of its own: RUNLEDGER_DATA_DIR=<another dir> npm start`,
      );
    }
    // The holder is gone (or its file is unreadable): a stale lock.
    rmSync(file, { force: true });
  }
  throw new DataDirInUseError(`could not take the data dir ${resolve(dataDir)}: another stack took it at the same moment`);
}

/** The stack file in a data dir, or undefined when there is none (or it is unreadable). */
export function readStackFile(dataDir: string): StackFile | undefined {
  let text: string;
  try {
    text = readFileSync(stackFilePath(dataDir), 'utf8');
  } catch {
    // No file: no stack has this data dir.
    return undefined;
  }
  try {
    const parsed = StackFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Half-written by a process that died mid-write: no usable holder.
    return undefined;
  }
}

/** The running stack of a data dir: its file, complete, and its process alive. */
export function runningStack(dataDir: string): RunningStackFile | undefined {
  const file = readStackFile(dataDir);
  if (file === undefined || !isAlive(file.pid)) return undefined;
  const { pid, port, url, dynamoDbEndpoint, tableName } = file;
  return port === undefined || url === undefined || dynamoDbEndpoint === undefined || tableName === undefined ? undefined : { pid, port, url, dynamoDbEndpoint, tableName };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM: it exists but belongs to someone else, which still makes it a live holder.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}
