import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { MemoryDeliveryLedger } from '#adapters/memory/memory-delivery-ledger.ts';
import { MemorySubscriptionStore } from '#adapters/memory/memory-subscription-store.ts';
import type { PublishedDetail } from '#shared/bus/published-event.ts';
import { makeDeliverWebhook } from '#shared/webhooks/deliver-webhook.ts';
import type { SendAnswer, WebhookSender } from '#shared/webhooks/delivery-job.ts';
import { toSubscriberDeliveries } from '#shared/webhooks/ledger-view.ts';
import type { Subscription } from '#shared/webhooks/subscription.ts';
import { fakeClock } from '#test/support/clock.ts';
import { progressEvent } from '#test/support/events.ts';

const SCHEDULE = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 4000 };
const DISABLE_AFTER_MS = 3_600_000;
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** A receiver that answers each request with the next status given (the last one from then on), and keeps what it got. */
function receiver(...statuses: number[]): WebhookSender & { requests: Array<{ url: string; headers: Record<string, string>; body: string }> } {
  const requests: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  const send = (request: { url: string; headers: Record<string, string>; body: string }): Promise<SendAnswer> => {
    requests.push(request);
    return Promise.resolve({ status: statuses[Math.min(requests.length - 1, statuses.length - 1)] ?? 200 });
  };
  return Object.assign(send, { requests });
}

/** One active subscription of tenant acme in memory, and a delivery use case over it with a clock that stands still. */
async function given(send: WebhookSender, overrides: Partial<Subscription> = {}) {
  const subscriptions = new MemorySubscriptionStore();
  const ledger = new MemoryDeliveryLedger();
  // Starts at the wall clock's now: the spec's verifier refuses a webhook-timestamp more than 5 minutes off it.
  const clock = fakeClock(new Date().toISOString());
  const subscription: Subscription = {
    id: 'sub_1',
    tenant: 'acme',
    url: 'https://hooks.example.com/runledger',
    filter: { preset: 'all' },
    status: 'active',
    createdAt: '2026-11-23T09:00:00.000Z',
    updatedAt: '2026-11-23T09:00:00.000Z',
    secret: SECRET,
    ...overrides,
  };
  await subscriptions.create(subscription);
  const deliver = makeDeliverWebhook({ subscriptions, ledger, send, clock, schedule: SCHEDULE, disableAfterMs: DISABLE_AFTER_MS, random: () => 1, subscriptionCacheMs: 0 });
  const event: PublishedDetail = { ...progressEvent('run-1', { eventId: 'e1' }), seq: 1, receivedAt: '2026-11-23T10:00:00.000Z', tenant: 'acme' };
  const job = (attempt: number) => ({ tenant: 'acme', subscriptionId: 'sub_1', event, attempt });
  const undelivered = async () => toSubscriberDeliveries(await ledger.readRun('acme', 'run-1', { limit: 100 })).flatMap((entry) => entry.undelivered);
  return { subscriptions, ledger, clock, deliver, job, undelivered };
}

describe('delivering one event to a webhook subscription', () => {
  it('sends it signed so the spec\'s verifier accepts it, and a 2xx is delivered with nothing in the ledger', async () => {
    const send = receiver(204);
    const { deliver, job, undelivered } = await given(send);

    expect(await deliver(job(1))).toEqual({ outcome: 'delivered' });

    const [request] = send.requests;
    if (request === undefined) throw new Error('nothing was sent');
    expect(new Webhook(SECRET).verify(request.body, request.headers)).toMatchObject({ type: 'run.progress', data: { runId: 'run-1', eventId: 'e1', seq: 1 } });
    expect(await undelivered()).toEqual([]);
  });

  it('records a failure with its attempt and retries on the schedule, then records it dead after the last attempt, listed for redrive', async () => {
    const { ledger, deliver, job, undelivered } = await given(receiver(503));

    expect(await deliver(job(1))).toEqual({ outcome: 'retry', delayMs: 1000 });
    expect(await undelivered()).toEqual([expect.objectContaining({ seq: 1, status: 'failed', attempts: 1, lastError: 'the receiver answered 503' })]);
    expect(await deliver(job(2))).toEqual({ outcome: 'retry', delayMs: 2000 });
    expect(await deliver(job(3))).toEqual({ outcome: 'dead' });

    expect(await undelivered()).toEqual([expect.objectContaining({ seq: 1, status: 'dead', attempts: 3 })]);
    expect(await ledger.listDead('acme', 'sub_1')).toEqual([expect.objectContaining({ runId: 'run-1', seq: 1, status: 'dead' })]);
  });

  it('starts the failure streak at the first failure and ends it at the next success', async () => {
    const { subscriptions, clock, deliver, job } = await given(receiver(500, 200));

    await deliver(job(1));
    expect(await subscriptions.get('acme', 'sub_1')).toMatchObject({ failingSince: clock.now().toISOString(), status: 'active' });
    clock.advanceSeconds(60);
    await deliver(job(2));

    expect(await subscriptions.get('acme', 'sub_1')).not.toHaveProperty('failingSince');
  });

  it('disables a subscription whose every delivery failed for disableAfterMs, naming when the streak began', async () => {
    const { subscriptions, clock, deliver, job } = await given(receiver(500));
    const streakStart = clock.now().toISOString();

    await deliver(job(1));
    clock.advanceSeconds(DISABLE_AFTER_MS / 1000 - 1);
    await deliver(job(2));
    expect(await subscriptions.get('acme', 'sub_1')).toMatchObject({ status: 'active' });
    clock.advanceSeconds(1);
    await deliver(job(3));

    expect(await subscriptions.get('acme', 'sub_1')).toMatchObject({ status: 'disabled', disabledReason: expect.stringContaining(`every delivery failed since ${streakStart}`) });
  });

  it('keeps a job of a disabled subscription dead without sending it, so a redrive after enabling finds it', async () => {
    const send = receiver(200);
    const { ledger, deliver, job } = await given(send, { status: 'disabled', disabledReason: 'disabled by its owner' });

    expect(await deliver(job(2))).toEqual({ outcome: 'dead' });

    expect(send.requests).toEqual([]);
    expect(await ledger.listDead('acme', 'sub_1', 'run-1')).toEqual([expect.objectContaining({ seq: 1, attempts: 1, lastError: 'the subscription is disabled' })]);
  });

  it('skips a job of a deleted subscription: nothing sent, nothing recorded', async () => {
    const send = receiver(200);
    const { subscriptions, deliver, job, undelivered } = await given(send);
    await subscriptions.delete('acme', 'sub_1');

    expect(await deliver(job(1))).toEqual({ outcome: 'skipped' });

    expect(send.requests).toEqual([]);
    expect(await undelivered()).toEqual([]);
  });
});
