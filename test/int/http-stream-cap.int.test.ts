import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { ACME_KEY, GLOBEX_KEY, request, startTestStack } from '#test/support/http.ts';

const CAP = 3;
const ORIGIN = 'https://dash.example.com';

let stack: RunningLocalStack;
beforeAll(async () => {
  stack = await startTestStack({
    builtInObservers: false,
    config: { RUNLEDGER_MAX_OPEN_STREAMS: String(CAP), RUNLEDGER_STREAM_POLL_MS: '50', RUNLEDGER_CORS_ORIGINS: ORIGIN },
  });
});
afterAll(() => stack.stop());

type OpenStream = { response: Response; close: () => void };

/** Opens `GET /v1/runs/{runId}/stream` and keeps it open until `close`. */
async function openStream(runId: string, key = ACME_KEY, query = ''): Promise<OpenStream> {
  const hangUp = new AbortController();
  const response = await fetch(`${stack.url}/v1/runs/${runId}/stream${query}`, { headers: { authorization: `Bearer ${key}`, origin: ORIGIN }, signal: hangUp.signal });
  return { response, close: () => hangUp.abort() };
}

/**
 * Opens a stream, retrying while it is refused 429: a closed stream's slot is released once the
 * server sees the client go (by its next poll), not at the instant the client hangs up.
 */
async function openWhenFree(runId: string): Promise<OpenStream> {
  for (let attempt = 0; ; attempt++) {
    const stream = await openStream(runId);
    if (stream.response.status !== 429 || attempt === 40) return stream;
    await stream.response.body?.cancel();
    await sleep(100);
  }
}

async function startedRun(key = ACME_KEY): Promise<string> {
  const runId = uniqueId('run');
  const answer = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { key, body: { eventId: 's', type: 'run.started', occurredAt: '2026-11-23T10:00:00Z' } });
  expect(answer.status, answer.text).toBe(202);
  return runId;
}

describe('the open-stream cap (RUNLEDGER_MAX_OPEN_STREAMS)', () => {
  it('answers the stream past the cap 429 with Retry-After in the contract error shape, and lets the next one in once a stream closes', async () => {
    // The cap counts every tenant's streams: it guards the deployment's concurrency, not a tenant's share.
    const open = [await openStream(await startedRun()), await openStream(await startedRun(GLOBEX_KEY), GLOBEX_KEY), await openStream(await startedRun())];
    for (const stream of open) expect(stream.response.status).toBe(200);

    const runId = await startedRun();
    const refused = await openStream(runId);
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get('retry-after')).toBe('10');
    expect(refused.response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await refused.response.json()).toEqual({ error: { code: 'throttled', message: expect.stringContaining(`${CAP} streams are open`) } });

    open[0]?.close();
    const admitted = await openWhenFree(runId);
    expect(admitted.response.status).toBe(200);
    expect(admitted.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    for (const stream of [...open.slice(1), admitted]) stream.close();
  });

  it('does not count answers that open no stream: a finished run read to its end answers 204 even at the cap', async () => {
    // One by one, so each waits for any slot of the first test's streams still being released.
    const open: OpenStream[] = [];
    for (let index = 0; index < CAP; index++) open.push(await openWhenFree(await startedRun()));
    for (const stream of open) expect(stream.response.status).toBe(200);
    expect((await openStream(await startedRun())).response.status).toBe(429);
    const runId = uniqueId('run');
    await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { eventId: 'c', type: 'run.completed', occurredAt: '2026-11-23T10:00:00Z' } });
    const ended = await openStream(runId, ACME_KEY, '?afterSeq=1');
    expect(ended.response.status).toBe(204);
    for (const stream of open) stream.close();
  });
});
