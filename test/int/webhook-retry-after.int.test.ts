import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { request, startTestStack } from '#test/support/http.ts';
import { eventually, startReceiver } from '#test/support/webhook-receiver.ts';

let stack: RunningLocalStack;
let hook: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  // The schedule's first wait is 100 to 200 ms; the receiver asks for 3 s. The cap (5 s) leaves room for what it asks.
  stack = await startTestStack({ builtInObservers: false, config: { RUNLEDGER_WEBHOOK_RETRY_ATTEMPTS: '4', RUNLEDGER_WEBHOOK_RETRY_BASE_MS: '200', RUNLEDGER_WEBHOOK_RETRY_MAX_MS: '5000' } });
  hook = await startReceiver({ status: 503, headers: { 'retry-after': '3' } });
});
afterAll(async () => {
  await stack.stop();
  await hook.close();
});

describe('Retry-After end to end on the local stack', () => {
  it('waits at least the 3 s a 503 with Retry-After asks for before the second attempt, then delivers', async () => {
    const created = await request(stack.url, 'POST', '/v1/subscriptions', { body: { url: hook.url, filter: { preset: 'all' } } });
    expect(created.status).toBe(201);
    const { id } = (created.body as { subscription: { id: string } }).subscription;
    const runId = uniqueId('run');
    const sent = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events: [{ eventId: 'e1', seq: 1, type: 'run.started', occurredAt: '2026-11-23T10:00:00Z' }] } });
    expect(sent.status).toBe(202);

    await eventually(() => hook.received.length, (count) => count >= 1, 15_000);
    hook.answer = 200;
    const [firstAttempt, secondAttempt] = await eventually(() => hook.received, (received) => received.length >= 2, 15_000);
    const gapMs = (secondAttempt?.at ?? 0) - (firstAttempt?.at ?? 0);
    console.log(`Retry-After 3 s: the second attempt came ${gapMs} ms after the first (the schedule alone: 100 to 200 ms)`);
    expect(gapMs).toBeGreaterThanOrEqual(2900);
    expect(secondAttempt?.headers['webhook-id']).toBe(firstAttempt?.headers['webhook-id']);

    const ledger = await eventually(
      async () => ((await request(stack.url, 'GET', `/v1/runs/${runId}/deliveries?subscriber=${id}`)).body as { deliveries: Array<{ delivered: unknown[]; undelivered: unknown[] }> }).deliveries[0],
      (entry) => entry?.delivered.length === 1 && entry.undelivered.length === 0,
    );
    expect(ledger).toEqual(expect.objectContaining({ delivered: [{ fromSeq: 1, toSeq: 1 }], undelivered: [] }));
  });
});
