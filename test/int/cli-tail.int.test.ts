import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { cli, cliEnv } from '#test/support/cli.ts';
import { startCuttingProxy } from '#test/support/cutting-proxy.ts';
import { uniqueId } from '#test/support/events.ts';
import { request, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;

beforeAll(async () => {
  stack = await startTestStack({ builtInObservers: false });
});
afterAll(() => stack.stop());

/** Sends events to a run, one request each, as a live agent would. */
async function send(runId: string, events: { type: string; payload?: object }[], from: number): Promise<void> {
  for (const [index, event] of events.entries()) {
    const answer = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, {
      body: { eventId: `e${from + index}`, occurredAt: '2026-11-23T10:00:00Z', ...event },
    });
    expect(answer.status).toBe(202);
  }
}

const tokens = (count: number) => Array.from({ length: count }, (_, index) => ({ type: 'token', payload: { text: `t${index}` } }));

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function seqsOf(lines: readonly string[]): number[] {
  return lines.map((line) => (JSON.parse(line) as { seq: number }).seq);
}

describe('runledger tail', () => {
  it('follows a live run, printing each event as it comes, and exits after the terminal event', async () => {
    const runId = uniqueId('tail-live');
    await send(runId, [{ type: 'run.started' }, ...tokens(2)], 1);
    const printed: string[] = [];
    const tail = cli(cliEnv(stack.url), ['tail', runId], { onOut: (line) => printed.push(line) });
    await waitFor(() => printed.length === 3, 'tail to print what the run holds so far');
    await send(runId, [{ type: 'run.progress', payload: { progress: 0.5, message: 'halfway' } }, ...tokens(2)], 4);
    await waitFor(() => printed.length === 6, 'tail to print the new events');
    await send(runId, [{ type: 'run.completed', payload: { result: { ok: true } } }], 7);
    const result = await tail;
    const out = result.out;
    expect(result.code).toBe(0);
    expect(result.err).toEqual([]);
    // A line: seq, occurredAt, type, detail.
    expect(out.map((line) => line.trim().split(/\s+/)).map(([seq, , type]) => [seq, type])).toEqual([
      ['1', 'run.started'],
      ['2', 'token'],
      ['3', 'token'],
      ['4', 'run.progress'],
      ['5', 'token'],
      ['6', 'token'],
      ['7', 'run.completed'],
    ]);
    expect(out[3]).toMatch(/50%\s+halfway$/);
  });

  it('starts after --after, prints JSON Lines with --json, and has nothing to follow after the terminal event', async () => {
    const runId = uniqueId('tail-after');
    await send(runId, [{ type: 'run.started' }, ...tokens(4), { type: 'run.failed', payload: { error: { message: 'boom' } } }], 1);
    const result = await cli(cliEnv(stack.url), ['tail', runId, '--after', '3', '--json']);
    expect(result.code).toBe(0);
    expect(seqsOf(result.out)).toEqual([4, 5, 6]);
    const ended = await cli(cliEnv(stack.url), ['tail', runId, '--after', '6']);
    expect(ended).toMatchObject({ code: 0, out: [], err: [] });
  });

  it('resumes after a cut connection with Last-Event-ID, printing every event exactly once', async () => {
    const runId = uniqueId('tail-cut');
    await send(runId, [{ type: 'run.started' }, ...tokens(5)], 1);
    const proxy = await startCuttingProxy(stack.url, 3);
    try {
      const tail = cli(cliEnv(proxy.url), ['tail', runId, '--json']);
      await waitFor(() => proxy.streamRequests.length >= 2, 'tail to open the stream again');
      await send(runId, [...tokens(3), { type: 'run.completed' }], 7);
      const result = await tail;
      expect(result.code).toBe(0);
      expect(seqsOf(result.out)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(proxy.streamRequests.slice(0, 2)).toEqual([undefined, '3']);
      expect(result.err).toEqual([expect.stringMatching(/^reconnecting after seq 3 \(.+\)$/)]);
    } finally {
      await proxy.close();
    }
  });

  it('exits 1 with one line for an unknown run', async () => {
    const result = await cli(cliEnv(stack.url), ['tail', 'no-such-run']);
    expect(result.code).toBe(1);
    expect(result.err).toEqual([expect.stringMatching(/^runledger tail: .*\(404\)$/)]);
  });
});
