import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runDlq } from '#cli/dlq.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { ACME_KEY, GLOBEX_KEY, request, startTestStack } from '#test/support/http.ts';

const at = '2026-11-23T10:00:00Z';
const REDRIVE_INTERVAL_MS = 300;
const StoredEventsSchema = z.object({ events: z.array(z.looseObject({ runId: z.string(), seq: z.number() })) });
const PublishedSchema = z.looseObject({ tenant: z.string(), runId: z.string(), seq: z.number() });
type Published = z.infer<typeof PublishedSchema>;

let stack: RunningLocalStack;
let refusing = true;
const published: Published[] = [];

/** The relay failure files the stack keeps (one per run and relay batch). */
const keptFiles = () => {
  try {
    return readdirSync(join(stack.dataDir, 'relay-failures')).filter((name) => name.endsWith('.json') && !name.startsWith('.'));
  } catch (error: unknown) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
};

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

async function storedEvents(runId: string, key = ACME_KEY) {
  const answer = await request(stack.url, 'GET', `/v1/runs/${runId}/events?limit=100`, { key });
  return StoredEventsSchema.parse(answer.body).events;
}

beforeAll(async () => {
  stack = await startTestStack({
    builtInObservers: false,
    // A required observer of every runledger event, keeping what it was given as it was given.
    observers: [{ name: 'watcher', pattern: { source: ['runledger'] }, required: true, invoke: (event) => Promise.resolve(void published.push(PublishedSchema.parse(event.detail))) }],
    relayRedriveIntervalMs: REDRIVE_INTERVAL_MS,
    // Every refused call is a warning: expected here.
    config: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
    faults: { refusePutEvents: () => refusing },
  });
});
afterAll(() => stack.stop());

describe('relay failures redriven by the local stack’s timer', () => {
  const runs = { a: uniqueId('outage-a'), b: uniqueId('outage-b') };

  it('stores every event while the bus refuses PutEvents, and keeps what the relay could not publish', async () => {
    const events = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ eventId: `e${from + i}`, type: 'run.progress', occurredAt: at, payload: { progress: 0.5 } }));
    expect((await request(stack.url, 'POST', `/v1/runs/${runs.a}/events`, { body: { events: events(12) } })).status).toBe(202);
    expect((await request(stack.url, 'POST', `/v1/runs/${runs.b}/events`, { body: { events: events(3) } })).status).toBe(202);
    expect((await request(stack.url, 'POST', `/v1/runs/${runs.a}/events`, { body: { events: [...events(2, 12), { eventId: 'done', type: 'run.completed', occurredAt: at }] } })).status).toBe(202);
    await stack.settled();

    expect((await storedEvents(runs.a)).map((event) => event.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(keptFiles().length).toBeGreaterThanOrEqual(2);
    // Timer passes while the bus still refuses keep every failure and publish nothing.
    await new Promise((resolve) => setTimeout(resolve, REDRIVE_INTERVAL_MS * 4));
    expect(keptFiles().length).toBeGreaterThanOrEqual(2);
    expect(published).toEqual([]);
  }, 60_000);

  it('publishes every kept event exactly as stored, once, when the bus is back, and removes the failures', async () => {
    refusing = false;
    await until(() => keptFiles().length === 0 && published.length >= 18, 30_000);
    await stack.settled();

    expect(keptFiles()).toEqual([]);
    for (const runId of [runs.a, runs.b]) {
      const stored = await storedEvents(runId);
      const got = published.filter((detail) => detail.runId === runId).sort((x, y) => x.seq - y.seq);
      expect(got).toEqual(stored.map((event) => ({ ...event, tenant: 'acme' })));
    }
    expect(published).toHaveLength(18);
  }, 60_000);

  it('lists and redrives a tenant’s relay failures through the dlq command, n of m, and shows other tenants none', async () => {
    // Given a failure kept while the bus refuses, with the timer unable to help
    refusing = true;
    const runId = uniqueId('outage-cli');
    expect((await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { eventId: 'x1', type: 'run.started', occurredAt: at } })).status).toBe(202);
    await stack.settled();
    await until(() => keptFiles().length === 1, 10_000);
    const listed = z.object({ relayFailures: z.array(z.object({ id: z.string(), tenant: z.string(), runId: z.string(), seqs: z.array(z.number()) })) });
    expect(listed.parse((await request(stack.url, 'GET', '/local/dlq')).body).relayFailures).toEqual([expect.objectContaining({ tenant: 'acme', runId, seqs: [1] })]);
    expect(listed.parse((await request(stack.url, 'GET', '/local/dlq', { key: GLOBEX_KEY })).body).relayFailures).toEqual([]);

    const lines: string[] = [];
    await runDlq(['list', '--data-dir', stack.dataDir], {}, (line) => lines.push(line));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^relay\\s+\\S+\\.json  acme/${runId} seqs 1 \\(1 events\\)  PutEvents failed: `)));

    // When the CLI redrives while the bus still refuses, then after it is back
    const stillDown: string[] = [];
    await runDlq(['redrive', '--url', stack.url], { RUNLEDGER_API_KEY: ACME_KEY }, (line) => stillDown.push(line));
    expect(stillDown).toContainEqual(expect.stringMatching(new RegExp(`^1 of 1 failed again: relay acme/${runId} seqs 1: PutEvents failed: `)));
    expect(stillDown.at(-1)).toBe('relay redrive done: 0 republished, 1 still kept');
    refusing = false;
    const printed: string[] = [];
    await runDlq(['redrive', '--url', stack.url], { RUNLEDGER_API_KEY: ACME_KEY }, (line) => printed.push(line));

    // Then it is published (by the command, or by the timer in the meantime) and gone
    expect(printed.at(-1)).toMatch(/^relay redrive done: [01] republished, 0 still kept$|^no dead letters$/);
    await stack.settled();
    expect(keptFiles()).toEqual([]);
    expect(published.filter((detail) => detail.runId === runId).map((detail) => detail.seq)).toEqual([1]);
  }, 60_000);
});
