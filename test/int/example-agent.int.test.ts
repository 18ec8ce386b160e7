import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { runProgram, type ProgramRun } from '#test/support/cli.ts';
import { ACME_KEY, request, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;

beforeAll(async () => {
  stack = await startTestStack({ builtInObservers: false });
});
afterAll(() => stack.stop());

function runExample(env: Record<string, string>): Promise<ProgramRun> {
  // The data dir is empty so that no dev key from a local `npm start` is picked up.
  return runProgram('examples/agent.ts', [], { RUNLEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'runledger-example-')), ...env });
}

describe('npm run example', () => {
  it('reports a whole agent run that ends completed, with one retried task, and prints how to look at it', async () => {
    const { code, stdout, stderr } = await runExample({ RUNLEDGER_URL: stack.url, RUNLEDGER_API_KEY: ACME_KEY });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const runId = /run (agent-[0-9]{14}-[0-9a-f]{6}) on /.exec(stdout)?.[1] ?? '';
    expect(stdout).toContain(`npm run runledger -- status ${runId}`);
    expect(stdout).toContain(`npm run runledger -- tail ${runId}`);

    const run = await request(stack.url, 'GET', `/v1/runs/${runId}`);
    expect(run.body).toMatchObject({
      status: 'completed',
      threadId: 'example-agent',
      sequencing: 'producer',
      eventCount: 35,
      missingSeqs: [],
      tasks: { completed: 3, retrying: 0, failed: 0, in_progress: 0 },
      usage: { inputTokens: 1840, outputTokens: 17, totalTokens: 1857 },
      title: 'What does runledger do?',
      result: { answer: expect.stringContaining('exactly once') },
    });
    expect(stdout).toContain('sent 35 events');

    const page = await request(stack.url, 'GET', `/v1/runs/${runId}/events`);
    const events = (page.body as { events: { type: string; payload?: { taskId?: string; attempt?: number } }[] }).events;
    const counts: Record<string, number> = {};
    for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
    expect(counts).toEqual({
      'run.started': 1,
      step: 2,
      'task.queued': 3,
      'task.started': 4,
      'task.retrying': 1,
      'task.completed': 3,
      'run.progress': 3,
      token: 17,
      'run.completed': 1,
    });
    expect(events.filter((event) => event.payload?.taskId === 'summarize').map((event) => [event.type, event.payload?.attempt])).toEqual([
      ['task.queued', undefined],
      ['task.started', 1],
      ['task.retrying', 1],
      ['task.started', 2],
      ['task.completed', 2],
    ]);
    expect(events.at(-1)?.type).toBe('run.completed');
  });

  it('says the stack is not running when nothing answers, and exits 1', async () => {
    const { code, stderr } = await runExample({ RUNLEDGER_URL: 'http://127.0.0.1:9', RUNLEDGER_API_KEY: ACME_KEY });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('example: cannot reach runledger at http://127.0.0.1:9: is `npm start` running?');
  });
});
