import { describe, expect, it } from 'vitest';
import { readAnswer } from '#client/answer.ts';
import { fullJitterDelay, parseRetryAfter, retryDelay } from '#client/backoff.ts';
import { acceptAll, testReporter, type ScriptStep } from '#test/support/fake-ingest.ts';

const POLICY = { baseDelayMs: 100, maxDelayMs: 1000 };
const NOW = Date.parse('2026-11-23T10:00:00Z');

describe('full-jitter backoff', () => {
  it('waits a uniform share of min(max, base * 2^attempt)', () => {
    expect(fullJitterDelay(0, POLICY, () => 0)).toBe(0);
    expect(fullJitterDelay(0, POLICY, () => 0.5)).toBe(50);
    expect(fullJitterDelay(2, POLICY, () => 0.5)).toBe(200);
    expect(fullJitterDelay(3, POLICY, () => 0.999)).toBe(799);
    expect(fullJitterDelay(20, POLICY, () => 0.999)).toBe(999);
  });

  it('waits at least what Retry-After asks, even past the backoff cap', () => {
    expect(retryDelay(0, 5000, POLICY, () => 0.9)).toBe(5000);
    expect(retryDelay(3, 10, POLICY, () => 0.5)).toBe(400);
    expect(retryDelay(3, undefined, POLICY, () => 0.5)).toBe(400);
  });
});

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:05 GMT', NOW)).toBe(5000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('-1', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

describe('reading an ingest answer', () => {
  const headers = (retryAfter?: string) => new Headers(retryAfter === undefined ? {} : { 'retry-after': retryAfter });
  const results = { results: [{ status: 'rejected', eventId: 'e1', runId: 'r', errors: [{ path: 'type', message: 'is required' }] }] };
  const error = { error: { code: 'malformed_json', message: 'the body is not valid JSON' } };

  it('judges per-event results, retries 429/5xx/unreadable answers, refuses other 4xx', () => {
    expect(readAnswer(400, headers(), results, NOW).kind).toBe('judged');
    expect(readAnswer(400, headers(), error, NOW)).toEqual({ kind: 'refused', status: 400, error: error.error });
    expect(readAnswer(401, headers(), error, NOW).kind).toBe('refused');
    expect(readAnswer(413, headers(), undefined, NOW).kind).toBe('refused');
    expect(readAnswer(429, headers('2'), error, NOW)).toEqual({ kind: 'retry', reason: 'HTTP 429', retryAfterMs: 2000 });
    expect(readAnswer(503, headers(), undefined, NOW)).toEqual({ kind: 'retry', reason: 'HTTP 503' });
    expect(readAnswer(202, headers(), 'garbage', NOW).kind).toBe('retry');
  });
});

describe('RunReporter delivery', () => {
  const reporterWith = (script: ScriptStep[]) => testReporter({ script, random: () => 0.5, backoff: POLICY });

  it('never retries a 400: one request, and each event reported as refused with the server\'s error', async () => {
    const { reporter, ingest, sleeps, problems } = reporterWith([{ status: 400, body: { error: { code: 'invalid_request', message: 'bad shape' } } }]);
    reporter.started();
    reporter.heartbeat();
    const report = await reporter.close();
    expect(ingest.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(problems.map(({ reason, status, error }) => ({ reason, status, code: error?.code }))).toEqual([
      { reason: 'refused', status: 400, code: 'invalid_request' },
      { reason: 'refused', status: 400, code: 'invalid_request' },
    ]);
    expect(report.unsent.map(({ reason }) => reason)).toEqual(['refused', 'refused']);
  });

  it('retries 429 after its Retry-After, then 503 and a dropped connection with backoff, resending the same events', async () => {
    const { reporter, ingest, sleeps } = reporterWith([{ status: 429, headers: { 'retry-after': '2' } }, { status: 503 }, 'network-error']);
    reporter.started();
    const report = await reporter.close();
    expect(sleeps).toEqual([2000, 100, 200]);
    expect(ingest.requests).toHaveLength(4);
    expect(new Set(ingest.requests.map((events) => JSON.stringify(events))).size).toBe(1);
    expect(report).toEqual({ sent: 1, unsent: [] });
  });

  it('counts duplicate as delivered and sends rejected and conflicting events to the error callback', async () => {
    const { reporter, problems } = reporterWith([
      (events) => ({
        status: 207,
        body: {
          results: [
            ...acceptAll(events.slice(0, 1), 'duplicate').results,
            { status: 'rejected', eventId: events[1]?.eventId, runId: 'run-1', errors: [{ path: 'events[1].payload.progress', message: 'must be at most 1' }] },
            { status: 'conflict', eventId: events[2]?.eventId, runId: 'run-1', seq: 3, message: 'seq 3 is taken' },
          ],
        },
      }),
    ]);
    reporter.started();
    reporter.progress(1.5);
    reporter.heartbeat();
    const report = await reporter.close();
    expect(report.sent).toBe(1);
    expect(problems.map(({ reason, errors, detail }) => ({ reason, errors, detail }))).toEqual([
      { reason: 'rejected', errors: [{ path: 'events[1].payload.progress', message: 'must be at most 1' }], detail: 'events[1].payload.progress must be at most 1' },
      { reason: 'conflict', errors: undefined, detail: 'seq 3 is taken' },
    ]);
  });
});
