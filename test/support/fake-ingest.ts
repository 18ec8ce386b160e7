import { RunReporter, type DeliveryProblem, type RunReporterOptions } from '#client/index.ts';
import type { RunEvent } from '#shared/contract/event.ts';

export type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'network-error';

/** One scripted answer, fixed or computed from the request's events. */
export type ScriptStep = Answer | ((events: RunEvent[]) => Answer | Promise<Answer>);

/** What a fake `fetch` saw: each request's events, in order. */
export type FakeIngest = { fetch: typeof fetch; requests: RunEvent[][] };

/** `{results}` accepting every event of a request body, as the ingest route would answer it. */
export function acceptAll(events: readonly RunEvent[], status: 'accepted' | 'duplicate' = 'accepted') {
  return { results: events.map((event) => ({ status, eventId: event.eventId, runId: event.runId, seq: event.seq ?? 0 })) };
}

/**
 * A fetch for the client's unit tests: answers each request with the next scripted answer (a
 * function of the request's events), and 202 accepting everything once the script runs out.
 */
export function fakeIngest(script: ScriptStep[] = []): FakeIngest {
  const requests: RunEvent[][] = [];
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    const body: unknown = JSON.parse(typeof init?.body === 'string' ? init.body : '{}');
    const events = (body as { events: RunEvent[] }).events;
    requests.push(events);
    const step = script.shift() ?? { status: 202, body: acceptAll(events) };
    const answer = typeof step === 'function' ? await step(events) : step;
    if (answer === 'network-error') throw new TypeError('fetch failed');
    return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), { status: answer.status, headers: answer.headers ?? {} });
  };
  return { fetch, requests };
}

/** A RunReporter on a fake ingest, recording its error callback and its backoff waits. */
export function testReporter(options: Partial<RunReporterOptions> & { script?: ScriptStep[] } = {}) {
  const { script, ...overrides } = options;
  const ingest = fakeIngest(script);
  const problems: DeliveryProblem[] = [];
  const sleeps: number[] = [];
  const reporter = new RunReporter({
    baseUrl: 'http://runledger.test/',
    apiKey: 'k',
    runId: 'run-1',
    fetch: ingest.fetch,
    flushIntervalMs: 60_000,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    onError: (problem) => problems.push(problem),
    ...overrides,
  });
  return { reporter, ingest, problems, sleeps };
}
