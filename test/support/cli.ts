import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '#cli/run-cli.ts';
import { ACME_KEY } from './http.ts';

export type CliRun = { code: number; out: string[]; err: string[]; stdout: string };

/** The environment a user of the test stack would have: its URL, acme's key, and no dev key lying around. */
export function cliEnv(url: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { RUNLEDGER_URL: url, RUNLEDGER_API_KEY: ACME_KEY, RUNLEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'runledger-cli-')), ...overrides };
}

/** `runledger ...argv` in this process, its output captured line by line. */
/** `onOut` sees each line as it is printed, for commands that run a while (`tail`). */
export async function cli(env: NodeJS.ProcessEnv, argv: string[], options: { stdin?: string; signal?: AbortSignal; onOut?: (line: string) => void } = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const stdin = options.stdin;
  const code = await runCli(argv, env, {
    out: (line) => {
      out.push(...line.split('\n'));
      options.onOut?.(line);
    },
    err: (line) => err.push(line),
    stdin: stdin === undefined ? undefined : Readable.from([stdin]),
    signal: options.signal,
  });
  return { code, out, err, stdout: out.join('\n') };
}

export type ProgramRun = { code: number | null; stdout: string; stderr: string };

/** A project script (`cli/runledger.ts`, `examples/agent.ts`) as its own process, with this test's Node. */
export function runProgram(script: string, argv: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<ProgramRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...argv], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/**
 * A project script whose reader goes away after the first output, as `| head -1` does: stdout is
 * destroyed on the first chunk, so the script's next write meets a closed pipe (EPIPE).
 */
export function runProgramClosingStdout(script: string, argv: string[], env: NodeJS.ProcessEnv): Promise<ProgramRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.once('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
