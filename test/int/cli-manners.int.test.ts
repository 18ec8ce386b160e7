import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { cliEnv, runProgram, runProgramClosingStdout, type ProgramRun } from '#test/support/cli.ts';
import { uniqueId } from '#test/support/events.ts';
import { ACME_KEY, request, startTestStack } from '#test/support/http.ts';

// Everything here goes through the real bin in a child process: exit codes, stderr and a closed
// stdout are properties of the process, which the in-process runCli tests cannot see.
const BIN = 'cli/runledger.ts';

let stack: RunningLocalStack;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startTestStack({ builtInObservers: false });
  env = cliEnv(stack.url);
});
afterAll(() => stack.stop());

const bin = (argv: string[], overrides: NodeJS.ProcessEnv = {}): Promise<ProgramRun> => runProgram(BIN, argv, { ...env, ...overrides });

describe('runledger when its reader stops early (| head -1)', () => {
  it('ends quietly with exit 0 instead of an EPIPE stack trace', async () => {
    const runId = uniqueId('epipe');
    const events = Array.from({ length: 40 }, (_, index) => ({ eventId: `t${index}`, runId, type: 'token', occurredAt: '2026-11-23T10:00:00Z', payload: { text: `w${index}` } }));
    expect((await request(stack.url, 'POST', '/v1/events', { body: { events } })).status).toBe(202);
    // One event per request: output keeps coming long after the reader has gone.
    const result = await runProgramClosingStdout(BIN, ['events', runId, '--json', '--page-size', '1'], env);
    expect(result.stdout).toContain('"eventId":"t0"');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('runledger exit codes (0 ok, 1 failed, 2 usage)', () => {
  it('exits 2 with the usage on stderr when no command is given', async () => {
    const result = await bin([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^usage: runledger <command>/);
  });

  it('exits 2 on an unknown command, a bad flag, a missing or wrong argument, and an unknown subcommand', async () => {
    const wrong = [['statsu'], ['help', 'statsu'], ['status', 'r1', '--nope'], ['status'], ['events', 'r1', '--limit', '0'], ['dlq'], ['dlq', 'bogus'], ['keys'], ['keys', 'list', '--nope']];
    const results = await Promise.all(wrong.map((argv) => bin(argv)));
    expect(results.map((result, index) => [wrong[index]?.join(' '), result.code, result.stdout])).toEqual(wrong.map((argv) => [argv.join(' '), 2, '']));
    for (const result of results) expect(result.stderr).toMatch(/^runledger/);
  });

  it('exits 0 for help and for a command that did its job, 1 for one that failed', async () => {
    expect((await bin(['--help'])).code).toBe(0);
    expect((await bin(['stats', '--json'])).code).toBe(0);
    const failed = await bin(['status', 'no-such-run']);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('runledger with a refused API key (401)', () => {
  /** A data dir holding a development key file, as `npm start` leaves one. */
  function dataDirWithDevKey(key: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'runledger-devkey-'));
    writeFileSync(join(dir, 'dev-api-key'), `${key}\n`);
    return dir;
  }

  it('names RUNLEDGER_API_KEY as the source, hints at a stale export and points at the current dev key', async () => {
    const dataDir = dataDirWithDevKey(ACME_KEY);
    const result = await bin(['stats'], { RUNLEDGER_API_KEY: 'stale-key-from-last-week', RUNLEDGER_DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    const [line, ...more] = result.stderr.trimEnd().split('\n');
    expect(more).toEqual([]);
    expect(line).toContain('refused the API key from RUNLEDGER_API_KEY (401)');
    expect(line).toContain('stale');
    expect(line).toContain('rm -rf .runledger');
    expect(line).toContain(join(dataDir, 'dev-api-key'));
  });

  it('names --key when the key came from the flag', async () => {
    const result = await bin(['stats', '--key', 'not-a-key']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused the API key given with --key (401)');
  });

  it('names the dev key file when the key came from it', async () => {
    const dataDir = dataDirWithDevKey('key-of-another-stack');
    const result = await bin(['stats'], { RUNLEDGER_API_KEY: '', RUNLEDGER_DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`refused the development key from ${join(dataDir, 'dev-api-key')} (401)`);
  });
});
