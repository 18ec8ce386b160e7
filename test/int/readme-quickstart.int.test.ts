import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack, type RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { compareStep, parseVariables, sectionOf, walkScript, walkSteps, type WalkStep } from '#test/support/walkthrough.ts';

const ROOT = resolve(import.meta.dirname, '../..');

let stack: RunningLocalStack;

beforeAll(async () => {
  // A fresh local stack as `npm start` makes one (its own data dir and dev key), on the suite's DynamoDB Local.
  stack = await startLocalStack({ port: 0, dataDir: mkdtempSync(join(tmpdir(), 'runledger-readme-')), dynamoDbEndpoint: inject('dynamoDbEndpoint'), tableName: uniqueId('readme') });
});

afterAll(async () => {
  await stack.stop();
});

/** Runs the steps in ONE bash process from the repository root, with the stack's URL and key exported. */
async function walk(steps: readonly WalkStep[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'readme-walk-'));
  writeFileSync(join(dir, 'walk.sh'), walkScript(steps, dir));
  const env = {
    ...process.env,
    // npm scripts run on the project's Node 24, as they would for a user after `npm install`.
    PATH: [join(ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
    RUNLEDGER_URL: stack.url,
    RUNLEDGER_API_KEY: stack.devApiKey ?? '',
  };
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn('bash', [join(dir, 'walk.sh')], { cwd: ROOT, env, stdio: 'ignore' });
    child.once('error', fail);
    child.once('close', done);
  });
  expect(code).toBe(0);
  const failures: string[] = [];
  steps.forEach((step, index) => {
    const read = (suffix: string) => readFileSync(join(dir, `${index}.${suffix}`), 'utf8');
    const failure = compareStep(step, read('out'), Number(read('status')), parseVariables(read('vars')));
    if (failure !== undefined) failures.push(failure);
  });
  return failures;
}

function stepsOf(file: string, heading?: string): WalkStep[] {
  const { text, firstLine } = sectionOf(readFileSync(join(ROOT, file), 'utf8'), heading);
  return walkSteps(text, firstLine);
}

describe('the README Quick start, run verbatim against a fresh local stack', () => {
  it('prints what the README shows after every command, and again on a second walk on the same stack', async () => {
    const steps = stepsOf('README.md', 'Quick start');
    expect(steps.length).toBeGreaterThanOrEqual(8);
    expect(await walk(steps)).toEqual([]);
    expect(await walk(steps)).toEqual([]);
  }, 120_000);
});

describe('the README webhooks walkthrough, run verbatim against the same stack', () => {
  it('subscribes, receives verified deliveries, shows the ledger, replays and unsubscribes as the README shows', async () => {
    const steps = stepsOf('README.md', 'Webhooks and your own observers');
    expect(steps.length).toBeGreaterThanOrEqual(6);
    expect(await walk(steps)).toEqual([]);
  }, 60_000);
});

describe('docs/http-api.md, run verbatim top to bottom against the same stack', () => {
  it('prints what the page shows after every command', async () => {
    const steps = stepsOf('docs/http-api.md');
    expect(steps.length).toBeGreaterThanOrEqual(20);
    expect(await walk(steps)).toEqual([]);
  }, 180_000);
});
