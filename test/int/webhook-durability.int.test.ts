import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { killHard, startChildStack, type ChildStack } from '#test/support/child-stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { ACME_KEY, request } from '#test/support/http.ts';
import { pendingWebhookJobs } from '#test/support/webhook-journal-file.ts';
import { eventually, startReceiver, type ReceivedWebhook } from '#test/support/webhook-receiver.ts';

// `npm start` in a child process (SIGKILL is a real crash), on the run's DynamoDB Local, which outlives
// the kill as DynamoDB does in AWS. The load is small: a few subscriptions and tens of events.
const stacks: ChildStack[] = [];
const receivers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const stack of stacks.splice(0)) await killHard(stack.process);
  for (const receiver of receivers.splice(0)) await receiver.close();
});

/** A stack's settings: its own table and data dir, a retry schedule whose first wait (2 to 4 s) leaves time to kill it. */
function stackEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    RUNLEDGER_DYNAMODB_ENDPOINT: inject('dynamoDbEndpoint'),
    RUNLEDGER_TABLE_NAME: uniqueId('hookdur'),
    RUNLEDGER_API_KEYS: `acme:${ACME_KEY}`,
    RUNLEDGER_DATA_DIR: mkdtempSync(join(tmpdir(), 'runledger-hookdur-')),
    RUNLEDGER_WEBHOOK_RETRY_ATTEMPTS: '6',
    RUNLEDGER_WEBHOOK_RETRY_BASE_MS: '4000',
    RUNLEDGER_WEBHOOK_RETRY_MAX_MS: '8000',
    ...extra,
  };
}

async function start(env: Record<string, string>): Promise<ChildStack> {
  const stack = await startChildStack(env);
  stacks.push(stack);
  return stack;
}

async function receiver(...args: Parameters<typeof startReceiver>) {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
}

async function subscribe(stack: ChildStack, url: string): Promise<{ id: string; secret: string }> {
  const answer = await request(stack.url, 'POST', '/v1/subscriptions', { body: { url, filter: { preset: 'all' } } });
  expect(answer.status).toBe(201);
  const body = answer.body as { subscription: { id: string }; secret: string };
  return { id: body.subscription.id, secret: body.secret };
}

const at = '2026-11-23T10:00:00Z';
async function sendRun(stack: ChildStack, runId: string, count: number): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => ({ eventId: `e${i + 1}`, seq: i + 1, type: 'run.progress', occurredAt: at, payload: { progress: i / count } }));
  const answer = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events } });
  expect(answer.status).toBe(202);
}

type Ledger = { deliveries: Array<{ delivered: Array<{ fromSeq: number; toSeq: number }>; undelivered: unknown[] }> };
async function ledgerOf(stack: ChildStack, runId: string, subscriber: string): Promise<Ledger['deliveries'][number] | undefined> {
  const answer = await request(stack.url, 'GET', `/v1/runs/${runId}/deliveries?subscriber=${subscriber}`);
  expect(answer.status).toBe(200);
  return (answer.body as Ledger).deliveries[0];
}

/** Each request verified with `standardwebhooks` (it throws on a bad signature), grouped by webhook-id. */
function verifiedById(received: readonly ReceivedWebhook[], secret: string): Map<string, Array<{ body: string; seq: number }>> {
  const verifier = new Webhook(secret);
  const byId = new Map<string, Array<{ body: string; seq: number }>>();
  for (const delivery of received) {
    const { data } = verifier.verify(delivery.body, delivery.headers) as { data: { seq: number } };
    const id = delivery.headers['webhook-id'] ?? '';
    byId.set(id, [...(byId.get(id) ?? []), { body: delivery.body, seq: data.seq }]);
  }
  return byId;
}

describe('webhook deliveries survive a SIGKILL of the local stack', () => {
  it('resumes a retry that was waiting when the stack was killed: same webhook-id, a valid signature, and the ledger shows it delivered', async () => {
    const env = stackEnv();
    const first = await start(env);
    const hook = await receiver(500);
    const { id, secret } = await subscribe(first, hook.url);
    const runId = uniqueId('run');
    await sendRun(first, runId, 1);

    await eventually(() => hook.received.length, (count) => count >= 1, 30_000);
    // The second attempt is on disk, waiting its 2 to 4 s: kill the stack now.
    await eventually(() => pendingWebhookJobs(env.RUNLEDGER_DATA_DIR ?? ''), (jobs) => jobs.some((job) => job.subscriptionId === id && job.attempt === 2), 15_000);
    await killHard(first.process);
    const beforeRestart = hook.received.length;
    hook.answer = 200;

    const second = await start(env);
    await eventually(() => hook.received.length, (count) => count > beforeRestart, 30_000);
    const byId = verifiedById(hook.received, secret);
    expect(byId.size).toBe(1);
    expect([...byId.values()][0]?.map(({ seq }) => seq)).toEqual(Array.from({ length: hook.received.length }, () => 1));
    expect(await eventually(() => ledgerOf(second, runId, id), (entry) => entry?.delivered.length === 1 && entry.undelivered.length === 0, 15_000)).toEqual(
      expect.objectContaining({ delivered: [{ fromSeq: 1, toSeq: 1 }], undelivered: [] }),
    );
    console.log(`retry resumed after SIGKILL: ${hook.received.length} requests in all (${beforeRestart} before the kill)`);
  }, 120_000);

  it('delivers after a restart every event ingested while its receivers were down (refusing, or hanging with jobs queued behind), each webhook-id with one body', async () => {
    const count = 20;
    // A hanging receiver holds its subscription's chain for the whole timeout: the other jobs wait in the queue, not yet run.
    const env = stackEnv({ RUNLEDGER_WEBHOOK_TIMEOUT_MS: '30000' });
    const first = await start(env);
    const refusing = await receiver(200);
    const refusingPort = Number(new URL(refusing.url).port);
    await refusing.close();
    const hanging = await receiver('hang');
    const down = await subscribe(first, refusing.url);
    const stuck = await subscribe(first, hanging.url);
    const runId = uniqueId('run');
    await sendRun(first, runId, count);

    // Every event has a job on disk for both subscriptions (a retry for the refused one, a queued live job for the other).
    const eventsOwed = (subscriptionId: string) => new Set(pendingWebhookJobs(env.RUNLEDGER_DATA_DIR ?? '').filter((job) => job.subscriptionId === subscriptionId).map((job) => job.eventId)).size;
    await eventually(() => [eventsOwed(down.id), eventsOwed(stuck.id)], ([a, b]) => a === count && b === count, 30_000);
    await killHard(first.process);
    const hangingBefore = hanging.received.length;
    const back = await receiver(200, { port: refusingPort });
    hanging.answer = 200;

    const second = await start(env);
    const allEvents = (received: readonly ReceivedWebhook[], secret: string) => new Set([...verifiedById(received, secret).values()].flat().map(({ seq }) => seq)).size;
    await eventually(() => [allEvents(back.received, down.secret), allEvents(hanging.received, stuck.secret)], ([a, b]) => a === count && b === count, 60_000);

    for (const [received, secret] of [
      [back.received, down.secret],
      [hanging.received, stuck.secret],
    ] as const) {
      const byId = verifiedById(received, secret);
      expect(byId.size).toBe(count);
      for (const copies of byId.values()) expect(new Set(copies.map(({ body }) => body)).size).toBe(1);
    }
    for (const subscriber of [down.id, stuck.id]) {
      expect(await eventually(() => ledgerOf(second, runId, subscriber), (entry) => entry?.undelivered.length === 0 && entry.delivered.length === 1, 30_000)).toEqual(
        expect.objectContaining({ delivered: [{ fromSeq: 1, toSeq: count }] }),
      );
    }
    console.log(
      `after SIGKILL and restart: refused receiver got ${back.received.length} requests for ${count} events; hanging one got ${hanging.received.length} (${hangingBefore} before the kill)`,
    );
  }, 180_000);
});
