import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { COMMANDS } from '#cli/run-cli.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { cli, cliEnv, runProgram, type ProgramRun } from '#test/support/cli.ts';
import { uniqueId } from '#test/support/events.ts';
import { GLOBEX_KEY, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  stack = await startTestStack({ builtInObservers: false });
  env = cliEnv(stack.url);
});
afterAll(() => stack.stop());

const at = (second: number) => `2026-11-23T10:00:${String(second).padStart(2, '0')}Z`;

function jsonLines(events: readonly object[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'runledger-send-')), 'events.jsonl');
  writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
  return file;
}

/** A finished run of `count` events: started, progress..., completed; returns its id. */
async function finishedRun(count: number, threadId?: string): Promise<string> {
  const runId = uniqueId('cli-run');
  const events = Array.from({ length: count }, (_, index) => ({
    eventId: `e${index + 1}`,
    ...(threadId === undefined ? {} : { threadId }),
    type: index === 0 ? 'run.started' : index === count - 1 ? 'run.completed' : 'run.progress',
    occurredAt: at(index % 60),
    payload: index === 0 || index === count - 1 ? {} : { progress: index / count },
  }));
  const sent = await cli(env, ['send', '--run', runId, '--file', jsonLines(events)]);
  expect(sent.code).toBe(0);
  return runId;
}

describe('runledger send', () => {
  it('sends one event given as a JSON argument and prints its result', async () => {
    const runId = uniqueId('cli-send');
    const sent = await cli(env, ['send', '--run', runId, JSON.stringify({ eventId: 'start', type: 'run.started', occurredAt: at(0) })]);
    expect(sent).toMatchObject({ code: 0, err: [] });
    expect(sent.out[0]).toMatch(/^STATUS\s+EVENT\s+RUN\s+SEQ/);
    expect(sent.out[1]).toMatch(new RegExp(`^accepted\\s+start\\s+${runId}\\s+1$`));
    expect(sent.out.at(-1)).toBe('1 accepted');

    const again = await cli(env, ['send', '--json', '--run', runId, JSON.stringify({ eventId: 'start', type: 'run.started', occurredAt: at(0) })]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ status: 'duplicate', eventId: 'start', runId, seq: 1 });
  });

  it('builds an event from flags, filling in eventId and occurredAt', async () => {
    const runId = uniqueId('cli-flags');
    const sent = await cli(env, ['send', '--json', '--run', runId, '--thread', 'th-1', '--type', 'run.progress', '--payload', '{"progress":0.25,"message":"a quarter"}']);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ status: 'accepted', runId, seq: 1, eventId: expect.stringMatching(/^cli-/) });
    const status = await cli(env, ['status', runId, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ runId, threadId: 'th-1', status: 'running', eventCount: 1 });
  });

  it('sends a JSON Lines file of several runs through POST /v1/events in batches of at most 100, answering every event', async () => {
    const runs = [uniqueId('cli-file-a'), uniqueId('cli-file-b')];
    const events: Record<string, unknown>[] = Array.from({ length: 130 }, (_, index) => ({
      eventId: `t${index}`,
      runId: runs[index % 2],
      type: 'token',
      occurredAt: at(index % 60),
      payload: { text: `w${index}` },
    }));
    events[7] = { ...events[7], eventId: 'bad', type: 'run.progress', payload: { progress: 3 } };
    const sent = await cli(env, ['send', '--json', '--file', jsonLines(events)]);
    expect(sent.code).toBe(1);
    expect(sent.err).toEqual(['runledger send: 1 of 130 events were not stored (rejected or conflict)']);
    const results = sent.out.map((line) => JSON.parse(line) as { status: string; eventId: string; errors?: unknown });
    expect(results.map((result) => result.eventId)).toEqual(events.map((event) => event.eventId));
    expect(results.filter((result) => result.status === 'accepted')).toHaveLength(129);
    expect(results[7]).toMatchObject({ status: 'rejected', errors: [{ path: 'events[7].payload.progress', message: expect.any(String) }] });
    const second = await cli(env, ['status', runs[1] ?? '', '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ eventCount: 64 });
  });

  it('reads JSON Lines from standard input', async () => {
    const runId = uniqueId('cli-stdin');
    const stdin = ['{"eventId":"a","type":"run.started","occurredAt":"2026-11-23T10:00:00Z"}', '', '{"eventId":"b","type":"step","occurredAt":"2026-11-23T10:00:01Z","payload":{"name":"plan"}}'].join('\n');
    const sent = await cli(env, ['send', '--run', runId], { stdin });
    expect(sent.code).toBe(0);
    expect(sent.out.at(-1)).toBe('2 accepted');
  });

  it('refuses a file with a line that is not JSON before sending anything', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'runledger-send-')), 'broken.jsonl');
    writeFileSync(file, '{"eventId":"a","runId":"r","type":"run.started","occurredAt":"2026-11-23T10:00:00Z"}\n{"eventId":\n');
    const sent = await cli(env, ['send', '--file', file]);
    expect(sent.code).toBe(2);
    expect(sent.err).toHaveLength(1);
    expect(sent.err[0]).toMatch(/broken\.jsonl line 2 is not JSON/);
    expect(sent.out).toEqual([]);
  });
});

describe('runledger status, events, stats', () => {
  it('shows a run summary as fields, and as JSON with --json', async () => {
    const runId = await finishedRun(5);
    const human = await cli(env, ['status', runId]);
    expect(human.code).toBe(0);
    expect(human.out).toContain(`run:         ${runId}`);
    expect(human.stdout).toMatch(/status:\s+completed/);
    expect(human.stdout).toMatch(/events:\s+5 \(last seq 5, server-sequenced\)/);
    expect(human.stdout).toMatch(/duration:\s+4\.0 s/);
    const json = await cli(env, ['status', runId, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ runId, status: 'completed', eventCount: 5, lastSeq: 5 });
  });

  it('pages through all events with nextAfterSeq, after a seq and of some types only', async () => {
    const runId = await finishedRun(45);
    const all = await cli(env, ['events', runId, '--json', '--page-size', '10']);
    expect(all.code).toBe(0);
    expect(all.out.map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual(Array.from({ length: 45 }, (_, index) => index + 1));

    const after = await cli(env, ['events', runId, '--json', '--after', '40', '--page-size', '2']);
    expect(after.out.map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([41, 42, 43, 44, 45]);

    const ends = await cli(env, ['events', runId, '--types', 'run.started,run.completed', '--page-size', '3']);
    expect(ends.code).toBe(0);
    expect(ends.out[0]).toMatch(/^\s*SEQ\s+OCCURRED\s+TYPE\s+DETAIL$/);
    expect(ends.out.slice(1).map((line) => line.trim().split(/\s+/).slice(0, 3))).toEqual([
      ['1', at(0), 'run.started'],
      ['45', at(44), 'run.completed'],
    ]);

    const limited = await cli(env, ['events', runId, '--json', '--limit', '7', '--page-size', '5']);
    expect(limited.out).toHaveLength(7);
  });

  it('counts runs by status', async () => {
    const before = statsOf(await cli(env, ['stats', '--json']));
    for (const type of ['run.started', 'run.completed', 'run.completed']) {
      expect((await cli(env, ['send', '--run', uniqueId('cli-stats'), '--type', type])).code).toBe(0);
    }
    const after = statsOf(await cli(env, ['stats', '--json']));
    expect(after).toEqual({ ...before, running: before.running + 1, completed: before.completed + 2 });
    const human = await cli(env, ['stats']);
    expect(human.out[0]).toMatch(/^STATUS\s+RUNS$/);
    expect(human.out).toContain(`completed  ${String(after.completed).padStart(4)}`);
    const total = Object.values(after).reduce((sum, count) => sum + count, 0);
    expect(human.out.at(-1)).toBe(`total      ${String(total).padStart(4)}`);
  });
});

function statsOf(run: { code: number; stdout: string }): { running: number; completed: number } {
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { runs: { running: number; completed: number } }).runs;
}

describe('runledger runs', () => {
  it('lists runs by thread and by status, and continues a listing with --cursor', async () => {
    const threadId = uniqueId('cli-thread');
    const first = await finishedRun(3, threadId);
    const second = await finishedRun(3, threadId);
    const running = uniqueId('cli-running');
    expect((await cli(env, ['send', '--run', running, '--thread', threadId, '--type', 'run.started'])).code).toBe(0);
    const runIdsOf = (run: { stdout: string }) => (JSON.parse(run.stdout) as { runs: { runId: string }[] }).runs.map((one) => one.runId);

    // Most recently updated first, to the minute: runs written within one minute come in no set order.
    const byThread = await cli(env, ['runs', '--thread', threadId, '--json']);
    expect(byThread.code).toBe(0);
    expect(runIdsOf(byThread).sort()).toEqual([first, second, running].sort());
    expect(JSON.parse(byThread.stdout)).toMatchObject({ nextCursor: null });

    const completed = await cli(env, ['runs', '--thread', threadId, '--status', 'completed', '--json']);
    expect(runIdsOf(completed).sort()).toEqual([first, second].sort());
    const allRunning = await cli(env, ['runs', '--status', 'running', '--limit', '100', '--json']);
    expect(runIdsOf(allRunning)).toContain(running);
    expect(runIdsOf(allRunning)).not.toContain(first);

    const firstPage = await cli(env, ['runs', '--thread', threadId, '--limit', '2']);
    expect(firstPage.code).toBe(0);
    expect(firstPage.out[0]).toMatch(/^RUN\s+STATUS\s+THREAD\s+EVENTS\s+DURATION\s+UPDATED$/);
    expect(firstPage.out).toHaveLength(3);
    const cursor = /^more runs: add --cursor (\S+)$/.exec(firstPage.err[0] ?? '')?.[1] ?? '';
    expect(cursor).not.toBe('');
    const rest = await cli(env, ['runs', '--thread', threadId, '--limit', '2', '--cursor', cursor, '--json']);
    expect(rest.code).toBe(0);
    const listed = [...firstPage.out.slice(1).map((line) => line.split(/\s+/)[0]), ...runIdsOf(rest)];
    expect(listed.sort()).toEqual([first, second, running].sort());
  });
});

describe('runledger errors', () => {
  it('exits 1 with one line when the run is unknown', async () => {
    const result = await cli(env, ['status', 'no-such-run']);
    expect(result.code).toBe(1);
    expect(result.out).toEqual([]);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^runledger status: .*no-such-run.* \(404\)$/);
  });

  it('exits 1 when the key is refused, and says so when there is no key at all', async () => {
    const refused = await cli({ ...env, RUNLEDGER_API_KEY: 'not-a-key' }, ['stats']);
    expect(refused.code).toBe(1);
    expect(refused.err).toEqual([expect.stringMatching(/^runledger stats: http:\/\/127\.0\.0\.1:\d+ refused the API key from RUNLEDGER_API_KEY \(401\): a stale export\?/)]);
    const none = await cli(cliEnv(stack.url, { RUNLEDGER_API_KEY: '' }), ['stats']);
    expect(none.err).toEqual(['runledger stats: no API key: pass --key or set RUNLEDGER_API_KEY (`npm start` prints one)']);
  });

  it('sees another tenant\'s run as unknown', async () => {
    const runId = await finishedRun(2);
    const other = await cli(env, ['status', runId, '--key', GLOBEX_KEY]);
    expect(other.code).toBe(1);
  });

  it('tells the user to start the stack when nothing listens at the URL', async () => {
    const port = await closedPort();
    const result = await cli(env, ['events', 'r1', '--url', `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.err).toEqual([`runledger events: cannot reach runledger at http://127.0.0.1:${port}: is \`npm start\` running? (ECONNREFUSED)`]);
  });

  it('exits 2 on a wrong command line', async () => {
    expect(await cli(env, ['statsu'])).toMatchObject({ code: 2, err: ["runledger: unknown command 'statsu' (runledger --help lists them)"] });
    expect(await cli(env, ['events', 'r1', '--limit', '0'])).toMatchObject({ code: 2, err: ['runledger events: --limit must be a whole number >= 1 (got \'0\')'] });
    expect(await cli(env, ['status', 'r1', '--nope'])).toMatchObject({ code: 2, err: [expect.stringMatching(/^runledger status: Unknown option '--nope'/)] });
    expect(await cli(env, ['runs', '--status', 'done'])).toMatchObject({ code: 2 });
  });
});

describe('runledger --help', () => {
  it('lists every command, and each command explains itself', async () => {
    const top = await cli(env, ['--help']);
    expect(top.code).toBe(0);
    for (const command of COMMANDS) {
      expect(top.stdout).toContain(`  ${command.name} `);
      const help = await cli(env, [command.name, '--help']);
      expect(help.code, command.name).toBe(0);
      expect(help.out[0], command.name).toMatch(/^usage: /);
    }
    expect((await cli(env, ['help', 'tail'])).out[0]).toMatch(/^usage: runledger tail/);
  });
});

describe('runledger dev', () => {
  it('starts the local stack as npm start does, and stops it when asked', async () => {
    const stop = new AbortController();
    let url: string | undefined;
    const dev = cli(
      { ...process.env, PORT: '0', RUNLEDGER_DYNAMODB_ENDPOINT: inject('dynamoDbEndpoint'), RUNLEDGER_TABLE_NAME: uniqueId('cli-dev'), RUNLEDGER_API_KEYS: 'acme:dev-test-key-0123456789', RUNLEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'runledger-dev-')) },
      ['dev'],
      { signal: stop.signal, onOut: (line) => (url ??= /runledger listening on (\S+)/.exec(line)?.[1]) },
    );
    const deadline = Date.now() + 30_000;
    while (url === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answered = await cli(cliEnv(url ?? ''), ['stats', '--key', 'dev-test-key-0123456789', '--json']);
    expect(answered.code).toBe(0);
    stop.abort();
    const result = await dev;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('stopping runledger');
  });
});

describe('the runledger bin', () => {
  it('runs as a program: exit 0 and the answer on stdout, exit 1 and one line on stderr', async () => {
    const runId = await finishedRun(3);
    const ok = await runBin(['status', runId, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ runId, status: 'completed' });

    const unknown = await runBin(['status', 'no-such-run']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr.trimEnd().split('\n')).toHaveLength(1);

    const piped = await runBin(['send', '--run', uniqueId('cli-bin')], '{"type":"run.started"}\n');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/1 accepted/);
  });
});

function runBin(argv: string[], stdin?: string): Promise<ProgramRun> {
  return runProgram('cli/runledger.ts', argv, env, stdin);
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
