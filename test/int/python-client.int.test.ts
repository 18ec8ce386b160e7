import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalTarget } from '#local/bus/local-bus.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { ACME_KEY, startTestStack } from '#test/support/http.ts';

// The Python client's own suite (clients/python/tests) against a local stack started here, the way
// the other int tests start theirs: pytest reads RUNLEDGER_URL / RUNLEDGER_API_KEY. Lint and the type
// check are `npm run lint:python`, in `npm test`.
const CLIENT_DIR = join(import.meta.dirname, '../../clients/python');
const PYTHON = process.env.RUNLEDGER_PYTHON ?? 'python3';

type Finished = { code: number | null; output: string };

/** A child to its end, with everything it printed. Async: the stack answering pytest lives in this process. */
function runToEnd(command: string, args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** pip's offline wheel set (the first extra index of its configuration), so pip does not retry the unreachable main index. */
async function wheelSetIndex(): Promise<string> {
  if (process.env.PIP_INDEX_URL !== undefined) return process.env.PIP_INDEX_URL;
  const { code, output } = await runToEnd(PYTHON, ['-m', 'pip', 'config', 'get', 'global.extra-index-url'], { cwd: CLIENT_DIR });
  const first = output.trim().split(/\s+/)[0] ?? '';
  if (code !== 0 || first === '') throw new Error(`pip has no extra index configured (pip config get global.extra-index-url: ${output.trim()})`);
  return first;
}

/**
 * A Python Lambda observer on the local bus: each matching event runs the handler in a fresh python3
 * with the EventBridge event on stdin, as Lambda hands it over; a non-zero exit is a failed invocation.
 */
function pythonLambdaObserver(observedDir: string): LocalTarget {
  return {
    name: 'python-lambda',
    pattern: { source: ['runledger'], 'detail-type': ['run.failed'], detail: { runId: [{ prefix: 'py-lambda-' }] } },
    required: true,
    invoke: async (event) => {
      const child = spawn(PYTHON, ['tests/support/lambda_observer.py'], {
        cwd: CLIENT_DIR,
        env: { ...process.env, PYTHONPATH: join(CLIENT_DIR, 'src'), RUNLEDGER_PY_OBSERVED_DIR: observedDir },
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      let errors = '';
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      child.stdin.end(JSON.stringify(event));
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', resolve);
      });
      if (code !== 0) throw new Error(`the Python observer exited with ${code}: ${errors}`);
    },
  };
}

const observedDir = mkdtempSync(join(tmpdir(), 'runledger-py-observed-'));
let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack({ builtInObservers: false, observers: [pythonLambdaObserver(observedDir)] });
});
afterAll(async () => {
  await stack.stop();
});

describe('the Python client (clients/python)', () => {
  it('passes its pytest suite against the local stack: every method, faults, close with the server down, follow, a killed child, the adapters, a Python Lambda observer', async () => {
    const { code, output } = await runToEnd(PYTHON, ['-m', 'pytest', 'tests', '-s', '--durations=5'], {
      cwd: CLIENT_DIR,
      env: { RUNLEDGER_URL: stack.url, RUNLEDGER_API_KEY: ACME_KEY, RUNLEDGER_PY_OBSERVED_DIR: observedDir, PYTHONDONTWRITEBYTECODE: '1' },
    });
    console.log(`python client suite:\n${output.split('\n').filter((line) => /python client:|passed|failed/.test(line)).join('\n')}`);
    expect(code, output).toBe(0);
    // pytest's last line: only passes (a skip, xfail or error would be named there).
    const last = output.trim().split('\n').at(-1) ?? '';
    expect(last, output).toMatch(/^=* ?\d+ passed(, \d+ warnings?)? in [\d.]+s/);
    expect(last, output).not.toMatch(/failed|error|skipped|xfail|xpass|deselected/);
  }, 300_000);

  it('installs with pip offline (the build backend from the wheel set) as a typed package whose modules import from the installed copy alone', async () => {
    // A copy, so that the build's egg-info and build/ stay out of the worktree.
    const source = mkdtempSync(join(tmpdir(), 'runledger-py-src-'));
    cpSync(CLIENT_DIR, source, { recursive: true, filter: (path) => !/(__pycache__|\.egg-info|\/build)$/.test(path) });
    const target = mkdtempSync(join(tmpdir(), 'runledger-py-'));
    // The build backend (setuptools) comes from the machine's offline wheel set, as in .ci/run.
    const install = await runToEnd(PYTHON, ['-m', 'pip', 'install', '--quiet', '--no-deps', '--target', target, '.'], { cwd: source, env: { PIP_INDEX_URL: await wheelSetIndex() } });
    expect(install.code, install.output).toBe(0);
    expect(readdirSync(join(target, 'runledger')).sort()).toEqual(expect.arrayContaining(['__init__.py', 'py.typed', 'reporter.py', 'client.py', 'observer.py', 'adapters']));
    // From the installed copy only (-I: no cwd, no PYTHONPATH, no user site), every module imports.
    const script = [
      'import sys; sys.path.insert(0, sys.argv[1])',
      'import runledger, runledger.observer, runledger.adapters.rqc, runledger.adapters.omniq, runledger.adapters.dockrion, runledger.adapters.antflow, runledger.adapters.observer',
      'assert runledger.__file__.startswith(sys.argv[1]), runledger.__file__',
      'print(runledger.__version__)',
    ].join('\n');
    const imported = await runToEnd(PYTHON, ['-I', '-c', script, target], { cwd: target });
    expect(imported.code, imported.output).toBe(0);
    expect(imported.output.trim()).toBe('0.1.0');
  }, 120_000);
});
