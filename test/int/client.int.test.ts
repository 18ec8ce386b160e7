import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunReporter, type DeliveryProblem } from '#client/index.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { startFaultProxy, type FaultProxy } from '#test/support/fault-proxy.ts';
import { ACME_KEY, request, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;
let proxy: FaultProxy;
beforeAll(async () => {
  stack = await startTestStack({ builtInObservers: false });
  proxy = await startFaultProxy({
    target: stack.url,
    seed: 20261123,
    rates: { dropBeforeForward: 0.08, dropAfterForward: 0.08, duplicate: 0.08, throttle: 0.04, unavailable: 0.08, delay: 0.25 },
    retryAfterSeconds: 1,
    maxDelayMs: 80,
  });
});
afterAll(async () => {
  await proxy.stop();
  await stack.stop();
});

type Page = { events: Array<{ seq: number; type: string; payload?: Record<string, unknown> }>; nextAfterSeq: number | null };

describe('RunReporter through a faulty network', () => {
  it('delivers 1,000 events exactly once, at seq 1..1000 in the order they were reported', async () => {
    const runId = uniqueId('client');
    let requests = 0;
    const countingFetch: typeof fetch = (input, init) => {
      requests += 1;
      return fetch(input, init);
    };
    const problems: DeliveryProblem[] = [];
    const reporter = new RunReporter({
      baseUrl: proxy.url,
      apiKey: ACME_KEY,
      runId,
      fetch: countingFetch,
      maxBatchSize: 25,
      concurrency: 2,
      flushIntervalMs: 20,
      maxAttempts: 30,
      backoff: { baseDelayMs: 20, maxDelayMs: 250 },
      onError: (problem) => problems.push(problem),
    });

    // What each seq must hold, written down as the events are reported.
    const expected: Array<[string, unknown]> = [];
    reporter.started();
    expected.push(['run.started', undefined]);
    for (let index = 1; index <= 998; index++) {
      if (index % 100 === 0) {
        reporter.progress(index / 1000, `at ${index}`);
        expected.push(['run.progress', { progress: index / 1000, message: `at ${index}` }]);
      } else if (index % 50 === 0) {
        reporter.task(`chunk-${index}`).completed({ index });
        expected.push(['task.completed', { taskId: `chunk-${index}`, result: { index } }]);
      } else {
        reporter.token(`t${index}`, index);
        expected.push(['token', { text: `t${index}`, index }]);
      }
    }
    reporter.completed({ events: 1000 }, { outputTokens: 998 });
    expected.push(['run.completed', { result: { events: 1000 }, usage: { outputTokens: 998 } }]);

    const report = await reporter.close({ deadlineMs: 120_000 });
    console.log(`client: ${requests} HTTP requests for 1000 events (batches of 25, 2 in flight); proxy faults: ${JSON.stringify(proxy.counts)}`);
    expect(problems).toEqual([]);
    expect(report).toEqual({ sent: 1000, unsent: [] });
    expect(reporter.stats.requests).toBe(requests);
    expect(proxy.counts.requests).toBe(requests);
    // The faults really happened, each kind at least once (this seed's first 40 outcomes, one per batch at least, hold every kind).
    for (const fault of ['dropBeforeForward', 'dropAfterForward', 'duplicate', 'throttle', 'unavailable', 'delay'] as const) expect(proxy.counts[fault], fault).toBeGreaterThan(0);

    const answer = await request(stack.url, 'GET', `/v1/runs/${runId}/events?limit=1000`);
    expect(answer.status).toBe(200);
    const page = answer.body as Page;
    expect(page.nextAfterSeq).toBeNull();
    expect(page.events.map((event) => event.seq)).toEqual(Array.from({ length: 1000 }, (_, index) => index + 1));
    expect(page.events.map((event) => [event.type, event.payload])).toEqual(expected);
    const summary = await request(stack.url, 'GET', `/v1/runs/${runId}`);
    expect(summary.body).toMatchObject({ status: 'completed', eventCount: 1000, lastSeq: 1000, missingSeqs: [], sequencing: 'producer' });
  });
});

describe('RunReporter.close() with the server down', () => {
  async function deadUrl(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return `http://127.0.0.1:${port}`;
  }

  it('lists every event it could not deliver by the deadline, in report order, with its eventId and seq', async () => {
    const problems: DeliveryProblem[] = [];
    const reporter = new RunReporter({
      baseUrl: await deadUrl(),
      apiKey: ACME_KEY,
      runId: 'run-down',
      flushIntervalMs: 5,
      maxAttempts: 1000,
      backoff: { baseDelayMs: 5, maxDelayMs: 20 },
      onError: (problem) => problems.push(problem),
    });
    reporter.started();
    reporter.progress(0.5);
    reporter.completed();
    const report = await reporter.close({ deadlineMs: 300 });
    expect(report.sent).toBe(0);
    expect(report.unsent.map(({ event, reason }) => [event.seq, event.type, reason])).toEqual([
      [1, 'run.started', 'deadline'],
      [2, 'run.progress', 'deadline'],
      [3, 'run.completed', 'deadline'],
    ]);
    expect(new Set(report.unsent.map(({ event }) => event.eventId)).size).toBe(3);
    expect(problems.map((problem) => problem.event.eventId)).toEqual(report.unsent.map(({ event }) => event.eventId));
    expect(reporter.stats.requests).toBeGreaterThan(1);
  });

  it('gives up after maxAttempts without a deadline, saying why', async () => {
    const reporter = new RunReporter({ baseUrl: await deadUrl(), apiKey: ACME_KEY, runId: 'run-down', maxAttempts: 3, backoff: { baseDelayMs: 1, maxDelayMs: 5 } });
    reporter.heartbeat();
    const report = await reporter.close();
    expect(report.unsent).toEqual([{ event: expect.objectContaining({ type: 'run.heartbeat', seq: 1 }), reason: 'gave-up', detail: expect.stringMatching(/^3 attempts; the last: /) }]);
    expect(reporter.stats.requests).toBe(3);
  });
});
