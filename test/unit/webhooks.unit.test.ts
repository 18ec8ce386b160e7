import { describe, expect, it } from 'vitest';
import { ObserverFilterSchema } from '#shared/bus/observer-filter.ts';
import { isAllowedWebhookAddress } from '#shared/webhooks/addresses.ts';
import { FilterSchema } from '#shared/webhooks/filter-schema.ts';
import { toRanges, toSubscriberDeliveries } from '#shared/webhooks/ledger-view.ts';
import { AWS_RETRY_SCHEDULE, LOCAL_RETRY_SCHEDULE, nextRetryDelayMs, parseRetryAfter, scheduleSpanMs } from '#shared/webhooks/retry-schedule.ts';
import { webhookIdOf } from '#shared/webhooks/webhook-message.ts';

describe('webhook addresses', () => {
  it.each(['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', 'not-an-ip'])(
    'refuses %s',
    (address) => {
      expect(isAllowedWebhookAddress(address, { allowLoopback: true })).toBe(false);
    },
  );

  it.each(['8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('allows the public address %s', (address) => {
    expect(isAllowedWebhookAddress(address, { allowLoopback: false })).toBe(true);
  });

  it('allows loopback only when told to (the local stack)', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect(isAllowedWebhookAddress(address, { allowLoopback: false })).toBe(false);
      expect(isAllowedWebhookAddress(address, { allowLoopback: true })).toBe(true);
    }
  });
});

describe('the retry schedule', () => {
  it('doubles with jitter between half and all of each step, capped, and ends after the last attempt', () => {
    const schedule = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 3000 };
    expect([1, 2, 3, 4].map((attempt) => nextRetryDelayMs(schedule, attempt, { random: () => 0 }))).toEqual([500, 1000, 1500, 1500]);
    expect([1, 2, 3, 4].map((attempt) => nextRetryDelayMs(schedule, attempt, { random: () => 1 }))).toEqual([1000, 2000, 3000, 3000]);
    expect(nextRetryDelayMs(schedule, 5)).toBeUndefined();
  });

  it('waits as long as Retry-After asks when that is longer, up to the cap', () => {
    const schedule = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 3000 };
    expect(nextRetryDelayMs(schedule, 1, { random: () => 0, retryAfterMs: 2500 })).toBe(2500);
    expect(nextRetryDelayMs(schedule, 1, { random: () => 0, retryAfterMs: 60_000 })).toBe(3000);
    const now = new Date('2026-11-23T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('retries for about a day in AWS and within a minute locally', () => {
    expect(scheduleSpanMs(AWS_RETRY_SCHEDULE) / 3_600_000).toBeGreaterThan(20);
    expect(scheduleSpanMs(AWS_RETRY_SCHEDULE) / 3_600_000).toBeLessThan(30);
    expect(scheduleSpanMs(LOCAL_RETRY_SCHEDULE)).toBeLessThan(60_000);
  });
});

describe('the ledger view', () => {
  it('folds seqs into ranges', () => {
    expect(toRanges([3, 1, 2, 7, 9, 8, 2])).toEqual([
      { fromSeq: 1, toSeq: 3 },
      { fromSeq: 7, toSeq: 9 },
    ]);
  });

  it('hides a failure that a later success superseded, and filters by status', () => {
    const key = { tenant: 'acme', runId: 'r', subscriber: 'sub_1', kind: 'webhook' as const };
    const page = {
      delivered: [{ ...key, seqs: [1, 2] }],
      failures: [
        { ...key, seq: 2, status: 'failed' as const, attempts: 1 },
        { ...key, seq: 3, status: 'dead' as const, attempts: 16, lastError: 'the receiver answered 500' },
      ],
    };
    expect(toSubscriberDeliveries(page)).toEqual([
      { subscriber: 'sub_1', kind: 'webhook', delivered: [{ fromSeq: 1, toSeq: 2 }], deliveredCount: 2, undelivered: [{ seq: 3, status: 'dead', attempts: 16, lastError: 'the receiver answered 500' }] },
    ]);
    expect(toSubscriberDeliveries(page, { status: 'failed' })).toEqual([]);
    expect(toSubscriberDeliveries(page, { status: 'dead' })[0]?.delivered).toEqual([]);
  });

  it('shows a subscriber\'s replays oldest first, even before anything was delivered, and leaves them out under a status filter', () => {
    const key = { tenant: 'acme', runId: 'r', subscriber: 'sub_1', kind: 'webhook' as const };
    const replay = (replayId: string, queuedAt: string) => ({ ...key, replayId, fromSeq: 1, toSeq: 9, nextSeq: 4, status: 'running' as const, step: 2, queuedAt, updatedAt: queuedAt });
    const page = { delivered: [], failures: [], replays: [replay('rpl_b', '2026-11-23T10:05:00Z'), replay('rpl_a', '2026-11-23T10:00:00Z')] };
    expect(toSubscriberDeliveries(page)).toEqual([
      {
        subscriber: 'sub_1',
        kind: 'webhook',
        delivered: [],
        deliveredCount: 0,
        undelivered: [],
        replays: [
          { replayId: 'rpl_a', fromSeq: 1, toSeq: 9, nextSeq: 4, status: 'running', queuedAt: '2026-11-23T10:00:00Z', updatedAt: '2026-11-23T10:00:00Z' },
          { replayId: 'rpl_b', fromSeq: 1, toSeq: 9, nextSeq: 4, status: 'running', queuedAt: '2026-11-23T10:05:00Z', updatedAt: '2026-11-23T10:05:00Z' },
        ],
      },
    ]);
    expect(toSubscriberDeliveries({ ...page, delivered: [{ ...key, seqs: [1] }] }, { status: 'delivered' })[0]).not.toHaveProperty('replays');
  });
});

describe('webhook-id', () => {
  it('is the same for one event and subscription, and differs for another of either', () => {
    const event = { tenant: 'acme', runId: 'r', eventId: 'e1' };
    expect(webhookIdOf('sub_1', event)).toBe(webhookIdOf('sub_1', { ...event }));
    expect(webhookIdOf('sub_1', event)).not.toBe(webhookIdOf('sub_2', event));
    expect(webhookIdOf('sub_1', event)).not.toBe(webhookIdOf('sub_1', { ...event, eventId: 'e2' }));
    expect(webhookIdOf('sub_1', event)).toMatch(/^msg_[A-Za-z0-9_-]{27}$/);
  });
});

describe('the subscription filter schema (zod/mini)', () => {
  it.each([
    { preset: 'all' },
    { preset: 'everything' },
    { types: ['run.completed', 'custom:*', 'custom:deploy.done'] },
    { types: [] },
    { types: ['run.finished'] },
    { pattern: { detail: { status: ['failed'] } } },
    { pattern: 'x' },
    { preset: 'all', types: ['token'] },
    {},
    null,
  ])('judges %j as the observers\' schema does', (input) => {
    const mini = FilterSchema.safeParse(input);
    const classic = ObserverFilterSchema.safeParse(input);
    expect(mini.success).toBe(classic.success);
    if (mini.success && classic.success) expect(mini.data).toEqual(classic.data);
  });
});
