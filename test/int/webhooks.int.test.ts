import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { uniqueId } from '#test/support/events.ts';
import { GLOBEX_KEY, request, startTestStack } from '#test/support/http.ts';
import { eventually, startReceiver, type AnswerFor } from '#test/support/webhook-receiver.ts';

let stack: RunningLocalStack;
const receivers: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  stack = await startTestStack({
    builtInObservers: false,
    // A short schedule (4 attempts, 100 ms doubling) and timeout, so the whole retry path fits a test.
    // Replays in slices of 50 events, so a run of a few hundred takes several slices.
    config: {
      RUNLEDGER_WEBHOOK_RETRY_ATTEMPTS: '4',
      RUNLEDGER_WEBHOOK_RETRY_BASE_MS: '100',
      RUNLEDGER_WEBHOOK_RETRY_MAX_MS: '400',
      RUNLEDGER_WEBHOOK_TIMEOUT_MS: '1500',
      RUNLEDGER_WEBHOOK_DISABLE_AFTER_SECONDS: '6',
      RUNLEDGER_WEBHOOK_REPLAY_SLICE_EVENTS: '50',
    },
  });
});
afterAll(async () => {
  await stack.stop();
  for (const receiver of receivers) await receiver.close();
});

async function receiver(initial: number | 'hang' = 200, answerFor?: AnswerFor) {
  const started = await startReceiver(initial, answerFor === undefined ? {} : { answerFor });
  receivers.push(started);
  return started;
}

async function subscribe(url: string, filter: unknown = { preset: 'all' }): Promise<{ id: string; secret: string }> {
  const answer = await request(stack.url, 'POST', '/v1/subscriptions', { body: { url, filter } });
  expect(answer.status).toBe(201);
  const body = answer.body as { subscription: { id: string }; secret: string };
  return { id: body.subscription.id, secret: body.secret };
}

const at = '2026-11-23T10:00:00Z';
async function sendRun(runId: string, types: string[]): Promise<void> {
  const events = types.map((type, index) => ({ eventId: `e${index + 1}`, seq: index + 1, type, occurredAt: at, ...(type === 'run.progress' ? { payload: { progress: 0.5 } } : {}) }));
  // A request takes at most 100 events.
  for (let start = 0; start < events.length; start += 100) {
    const answer = await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events: events.slice(start, start + 100) } });
    expect(answer.status).toBe(202);
  }
}

type Ledger = {
  deliveries: Array<{
    subscriber: string;
    kind: string;
    delivered: Array<{ fromSeq: number; toSeq: number }>;
    undelivered: Array<{ seq: number; status: string; attempts: number; lastError?: string }>;
    replays?: Array<{ replayId: string; fromSeq: number; toSeq: number; nextSeq: number; status: string; queuedAt: string }>;
  }>;
};
const ledgerOf = async (runId: string, subscriber: string): Promise<Ledger['deliveries'][number] | undefined> => {
  const answer = await request(stack.url, 'GET', `/v1/runs/${runId}/deliveries?subscriber=${subscriber}`);
  expect(answer.status).toBe(200);
  return (answer.body as Ledger).deliveries[0];
};

describe('webhook subscriptions', () => {
  it('shows the secret once, lists without it, and hides a subscription from another tenant (404)', async () => {
    const { id, secret } = await subscribe('http://127.0.0.1:9/hook', { types: ['run.completed'] });
    expect(secret).toMatch(/^whsec_/);
    const listed = await request(stack.url, 'GET', '/v1/subscriptions');
    expect(listed.text).not.toContain(secret);
    expect((listed.body as { subscriptions: Array<{ id: string; status: string }> }).subscriptions).toContainEqual(expect.objectContaining({ id, status: 'active' }));
    expect((await request(stack.url, 'GET', `/v1/subscriptions/${id}`)).text).not.toContain('whsec_');

    expect((await request(stack.url, 'GET', `/v1/subscriptions/${id}`, { key: GLOBEX_KEY })).status).toBe(404);
    expect((await request(stack.url, 'PATCH', `/v1/subscriptions/${id}`, { key: GLOBEX_KEY, body: { status: 'disabled' } })).status).toBe(404);
    expect((await request(stack.url, 'DELETE', `/v1/subscriptions/${id}`, { key: GLOBEX_KEY })).status).toBe(404);
    expect((await request(stack.url, 'GET', '/v1/subscriptions', { key: GLOBEX_KEY })).text).not.toContain(id);

    const patched = await request(stack.url, 'PATCH', `/v1/subscriptions/${id}`, { body: { status: 'disabled', description: 'paused' } });
    expect(patched.body).toEqual({ subscription: expect.objectContaining({ id, status: 'disabled', description: 'paused', disabledReason: 'disabled by its owner' }) });
    expect((await request(stack.url, 'DELETE', `/v1/subscriptions/${id}`)).status).toBe(204);
    expect((await request(stack.url, 'GET', `/v1/subscriptions/${id}`)).status).toBe(404);
  });

  it.each([
    ['a pattern EventBridge refuses', { url: 'http://127.0.0.1:9/', filter: { pattern: { detail: { status: 'failed' } } } }, 'filter.pattern.detail.status'],
    ['an unknown preset', { url: 'http://127.0.0.1:9/', filter: { preset: 'everything' } }, 'filter.preset'],
    ['a URL that is not http(s)', { url: 'ftp://127.0.0.1/hook', filter: { preset: 'all' } }, 'url'],
    ['a URL that is not a URL', { url: 'not a url', filter: { preset: 'all' } }, 'url'],
    ['a host that does not resolve', { url: 'http://no-such-host.invalid/hook', filter: { preset: 'all' } }, 'url'],
    ['a private address (allowed locally: loopback only)', { url: 'http://10.0.0.7/hook', filter: { preset: 'all' } }, 'url'],
    ['the metadata service', { url: 'http://169.254.169.254/latest', filter: { preset: 'all' } }, 'url'],
    ['an unknown field', { url: 'http://127.0.0.1:9/', filter: { preset: 'all' }, secret: 'mine' }, '(body)'],
  ])('answers 400 naming the field for %s, and creates nothing', async (_what, body, path) => {
    const before = (await request(stack.url, 'GET', '/v1/subscriptions')).text;
    const answer = await request(stack.url, 'POST', '/v1/subscriptions', { body });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: 'invalid_request', message: expect.any(String), details: [expect.objectContaining({ path })] } });
    expect((await request(stack.url, 'GET', '/v1/subscriptions')).text).toBe(before);
  });
});

describe('webhook deliveries', () => {
  it('delivers every matching event of a run once per event id, signed so standardwebhooks verifies it', async () => {
    const hook = await receiver();
    const { id, secret } = await subscribe(hook.url, { types: ['run.started', 'run.completed'] });
    const runId = uniqueId('run');
    await sendRun(runId, ['run.started', 'run.progress', 'run.completed']);
    await stack.settled();
    await eventually(() => hook.received.length, (count) => count >= 2);
    await stack.settled();

    const verifier = new Webhook(secret);
    const bodies = hook.received.map((delivery) => verifier.verify(delivery.body, delivery.headers) as { type: string; data: { runId: string; seq: number; eventId: string } });
    expect(bodies.map((body) => [body.type, body.data.seq])).toEqual(
      expect.arrayContaining([
        ['run.started', 1],
        ['run.completed', 3],
      ]),
    );
    expect(hook.received).toHaveLength(2);
    expect(new Set(hook.received.map((delivery) => delivery.headers['webhook-id'])).size).toBe(2);
    expect(() => new Webhook(`whsec_${Buffer.from('another secret of 32 bytes......').toString('base64')}`).verify(hook.received[0]?.body ?? '', hook.received[0]?.headers ?? {})).toThrow();
    expect(await eventually(() => ledgerOf(runId, id), (entry) => entry?.delivered.length === 2)).toEqual(
      expect.objectContaining({ kind: 'webhook', delivered: [{ fromSeq: 1, toSeq: 1 }, { fromSeq: 3, toSeq: 3 }], undelivered: [] }),
    );
  });

  it('retries a receiver that fails three times, with one webhook-id, until it takes the event', async () => {
    const hook = await receiver(503);
    const { id } = await subscribe(hook.url, { types: ['run.completed'] });
    const runId = uniqueId('run');
    await sendRun(runId, ['run.completed']);
    await eventually(() => hook.received.length, (count) => count >= 3);
    hook.answer = 200;
    await eventually(() => hook.received.length, (count) => count >= 4);
    expect(new Set(hook.received.map((delivery) => delivery.headers['webhook-id'])).size).toBe(1);
    expect(await eventually(() => ledgerOf(runId, id), (entry) => entry?.delivered.length === 1)).toEqual(expect.objectContaining({ delivered: [{ fromSeq: 1, toSeq: 1 }], undelivered: [] }));
  });

  it('records a dead receiver\'s deliveries as dead, and a redrive delivers them once it is back', async () => {
    const hook = await receiver(500);
    const { id } = await subscribe(hook.url, { types: ['run.started', 'run.completed'] });
    const runId = uniqueId('run');
    await sendRun(runId, ['run.started', 'run.completed']);
    const dead = await eventually(() => ledgerOf(runId, id), (entry) => entry?.undelivered.filter((item) => item.status === 'dead').length === 2);
    expect(dead?.undelivered).toEqual([
      expect.objectContaining({ seq: 1, status: 'dead', attempts: 4, lastError: 'the receiver answered 500' }),
      expect.objectContaining({ seq: 2, status: 'dead', attempts: 4, lastError: 'the receiver answered 500' }),
    ]);
    expect(hook.received).toHaveLength(8);

    hook.answer = 200;
    const redriven = await request(stack.url, 'POST', `/v1/subscriptions/${id}/redrive`);
    expect(redriven.status).toBe(202);
    expect(redriven.body).toEqual({ queued: [{ runId, seq: 1 }, { runId, seq: 2 }], count: 2 });
    expect(await eventually(() => ledgerOf(runId, id), (entry) => entry?.undelivered.length === 0)).toEqual(expect.objectContaining({ delivered: [{ fromSeq: 1, toSeq: 2 }] }));
    expect(hook.received).toHaveLength(10);
    // Nothing dead is left to redrive.
    expect((await request(stack.url, 'POST', `/v1/subscriptions/${id}/redrive`, { body: { runId } })).body).toEqual({ queued: [], count: 0 });
  });

  it('disables a subscription whose deliveries all failed for the configured time, with the reason, and sends it nothing more', async () => {
    const hook = await receiver(500);
    const { id } = await subscribe(hook.url, { preset: 'all' });
    const runId = uniqueId('run');
    const post = (seq: number) => request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { eventId: `e${seq}`, seq, type: 'run.heartbeat', occurredAt: at } });
    expect((await post(1)).status).toBe(202);
    await eventually(() => ledgerOf(runId, id), (entry) => entry?.undelivered[0]?.status === 'dead');
    expect((await request(stack.url, 'GET', `/v1/subscriptions/${id}`)).body).toEqual({ subscription: expect.objectContaining({ status: 'active' }) });
    // Past the 6 s this stack allows (long enough that the other tests' failing receivers, retried within about a second, stay active), the next failure disables it.
    await new Promise((resolve) => setTimeout(resolve, 6100));
    expect((await post(2)).status).toBe(202);
    const disabled = await eventually(
      async () => (await request(stack.url, 'GET', `/v1/subscriptions/${id}`)).body as { subscription: { status: string; disabledReason?: string } },
      (body) => body.subscription.status === 'disabled',
    );
    expect(disabled.subscription.disabledReason).toMatch(/^disabled automatically: every delivery failed since .+ \(last: the receiver answered 500\)$/);
    await stack.settled();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const sent = hook.received.length;
    expect((await post(3)).status).toBe(202);
    await stack.settled();
    expect(hook.received).toHaveLength(sent);
  });

  it('replays a finished run to a new subscription from seq 1, in order', async () => {
    const runId = uniqueId('run');
    await sendRun(runId, ['run.started', 'run.progress', 'run.progress', 'run.progress', 'run.completed']);
    await stack.settled();
    const hook = await receiver();
    const { id, secret } = await subscribe(hook.url, { preset: 'all' });
    const answer = await request(stack.url, 'POST', `/v1/subscriptions/${id}/replay`, { body: { runId } });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ queued: [1, 2, 3, 4, 5].map((seq) => ({ runId, seq })), count: 5, replayId: expect.stringMatching(/^rpl_/), fromSeq: 1, toSeq: 5 });
    await eventually(() => hook.received.length, (count) => count >= 5);
    const verifier = new Webhook(secret);
    expect(hook.received.map((delivery) => (verifier.verify(delivery.body, delivery.headers) as { data: { seq: number } }).data.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await eventually(() => ledgerOf(runId, id), (entry) => entry?.undelivered.length === 0)).toEqual(expect.objectContaining({ delivered: [{ fromSeq: 1, toSeq: 5 }] }));
    expect((await request(stack.url, 'POST', `/v1/subscriptions/${id}/replay`, { body: { runId: uniqueId('none') } })).status).toBe(404);
    expect((await request(stack.url, 'POST', `/v1/subscriptions/${id}/replay`, { body: { runId, afterSeq: -1 } })).status).toBe(400);
  });

  it('does not let an endpoint that never answers slow another subscription (measured)', async () => {
    const stuck = await receiver('hang');
    const healthy = await receiver();
    await subscribe(stuck.url, { preset: 'all' });
    await subscribe(healthy.url, { preset: 'all' });
    const runId = uniqueId('run');
    const sentAt = Date.now();
    await sendRun(runId, ['run.started', 'run.progress', 'run.completed']);
    await eventually(() => healthy.received.length, (count) => count >= 3);
    const lastAt = Math.max(...healthy.received.map((delivery) => delivery.at));
    const healthyMs = lastAt - sentAt;
    // The stuck receiver holds each of its attempts for the whole 1500 ms timeout; three in a row would be 4500 ms.
    console.info(`healthy subscription got all 3 events ${healthyMs} ms after ingest, while the other endpoint hung`);
    expect(stuck.received.length).toBeGreaterThanOrEqual(1);
    expect(healthyMs).toBeLessThan(1500);
  });
});

type Verified = { type: string; data: { runId: string; seq: number; eventId: string } };

describe('ordered replay', () => {
  it('replays a finished run in seq order while the receiver fails one event twice: the next event only after it is accepted, one webhook-id per event', async () => {
    const runId = uniqueId('run');
    await sendRun(runId, ['run.started', 'run.progress', 'run.progress', 'run.progress', 'run.progress', 'run.completed']);
    await stack.settled();
    let failuresLeft = 2;
    const seqOf = (body: string) => (JSON.parse(body) as Verified).data.seq;
    // 500 on seq 3 for its first two attempts: the replay must wait for it, not go on with 4.
    const hook = await receiver(200, (delivery) => (seqOf(delivery.body) === 3 && failuresLeft-- > 0 ? 500 : undefined));
    const { id, secret } = await subscribe(hook.url, { preset: 'all' });

    const answer = await request(stack.url, 'POST', `/v1/subscriptions/${id}/replay`, { body: { runId } });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ queued: [1, 2, 3, 4, 5, 6].map((seq) => ({ runId, seq })), count: 6, replayId: expect.stringMatching(/^rpl_/), fromSeq: 1, toSeq: 6 });
    await eventually(() => hook.received.length, (count) => count >= 8);
    console.info(`replay with seq 3 refused twice: arrivals at ${hook.received.map((delivery) => delivery.at - (hook.received[0]?.at ?? 0)).join(', ')} ms after the first`);

    const verifier = new Webhook(secret);
    const arrivals = hook.received.map((delivery) => ({ seq: (verifier.verify(delivery.body, delivery.headers) as Verified).data.seq, webhookId: delivery.headers['webhook-id'] }));
    // Every arrival in order: seq 3 three times (two refused, the third accepted), then 4.
    expect(arrivals.map(({ seq }) => seq)).toEqual([1, 2, 3, 3, 3, 4, 5, 6]);
    const firstArrivals = [...new Set(arrivals.map(({ seq }) => seq))];
    expect(firstArrivals).toEqual([1, 2, 3, 4, 5, 6]);
    const webhookIds = new Map<number, Set<string | undefined>>();
    for (const { seq, webhookId } of arrivals) webhookIds.set(seq, (webhookIds.get(seq) ?? new Set()).add(webhookId));
    expect([...webhookIds.values()].map((ids) => ids.size)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(new Set(arrivals.map(({ webhookId }) => webhookId)).size).toBe(6);

    const ledger = await eventually(() => ledgerOf(runId, id), (entry) => entry?.replays?.[0]?.status === 'done' && entry.delivered.length === 1);
    expect(ledger).toEqual(
      expect.objectContaining({
        delivered: [{ fromSeq: 1, toSeq: 6 }],
        undelivered: [],
        replays: [expect.objectContaining({ replayId: (answer.body as { replayId: string }).replayId, fromSeq: 1, toSeq: 6, nextSeq: 7, status: 'done' })],
      }),
    );
  });

  it('replays a run longer than one slice (320 events, slices of 50) complete and in order, through the filter', async () => {
    const runId = uniqueId('run');
    const types = ['run.started', ...Array.from({ length: 318 }, () => 'run.progress'), 'run.completed'];
    await sendRun(runId, types);
    await stack.settled();
    const hook = await receiver();
    const { id, secret } = await subscribe(hook.url, { types: ['run.progress', 'run.completed'] });
    const startedAt = Date.now();
    const answer = await request(stack.url, 'POST', `/v1/subscriptions/${id}/replay`, { body: { runId, afterSeq: 0 } });
    const answeredMs = Date.now() - startedAt;
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual(expect.objectContaining({ count: 319, fromSeq: 1, toSeq: 320 }));
    await eventually(() => hook.received.length, (count) => count >= 319, 60_000);
    console.info(`replay of 319 matching events (320 stored, slices of 50): answered 202 in ${answeredMs} ms, all at the receiver in ${Date.now() - startedAt} ms`);

    const verifier = new Webhook(secret);
    const seqs = hook.received.map((delivery) => (verifier.verify(delivery.body, delivery.headers) as Verified).data.seq);
    expect(seqs).toEqual(Array.from({ length: 319 }, (_, index) => index + 2));
    const ledger = await eventually(() => ledgerOf(runId, id), (entry) => entry?.replays?.[0]?.status === 'done' && entry.delivered[0]?.toSeq === 320);
    expect(ledger).toEqual(expect.objectContaining({ delivered: [{ fromSeq: 2, toSeq: 320 }], undelivered: [], replays: [expect.objectContaining({ fromSeq: 1, toSeq: 320, nextSeq: 321, status: 'done' })] }));
  });
});
