import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import type { PublishedDetail } from '../bus/published-event.ts';
import { RunIdSchema } from '../contract/ids.ts';
import { InvalidRequestError, RunNotFoundError } from '../errors.ts';
import { lastSeqOf } from '../run/run-state.ts';
import type { Clock, EventStore } from '../ports.ts';
import type { DeliveryJob, DeliveryQueue, ReplayJob } from './delivery-job.ts';
import { webhookIdOf } from './webhook-message.ts';
import type { DeliveryLedger, LedgerKey, ReplayLedger, SubscriptionStore } from './ports.ts';
import { matcherOf } from './subscription-match.ts';
import { parseSubscriptionBody, SubscriptionNotFoundError, type Subscription } from './subscription.ts';

export const ReplayBodySchema = z.strictObject({ runId: RunIdSchema, afterSeq: z.optional(z.int().check(z.gte(0))) });
export const RedriveBodySchema = z.strictObject({ runId: z.optional(RunIdSchema) });

/** What a replay or redrive queued: each event by run and seq, in the order it will be sent. */
export type Queued = { queued: Array<{ runId: string; seq: number }>; count: number };

/** A replay's answer: what it will send (as the filter matches now), and the replay's id in the ledger. */
export type QueuedReplay = Queued & { replayId: string; fromSeq: number; toSeq: number };

/** `rpl_` + time (so a subscriber's replays sort by when they were asked for) + randomness. */
export function newReplayId(at: Date): string {
  return `rpl_${at.getTime().toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
}

const PAGE = 500;

/**
 * Replay sends a run's stored history (seq order, through the subscription's filter) to a
 * subscription as ONE ordered job (shared/webhooks/ordered-replay.ts), recorded as ONE ledger item
 * whatever the run's length: the request reads the run, it writes nothing per event. Redrive sends
 * a subscription's dead deliveries again, each from attempt 1 of a new schedule, one job and one
 * `pending` ledger record per event, so the ledger shows them at once.
 */
export function makeReplay(deps: { subscriptions: SubscriptionStore; ledger: DeliveryLedger; replays: ReplayLedger; events: EventStore; queue: DeliveryQueue; clock: Clock; newId?: (at: Date) => string }) {
  const activeSubscription = async (tenant: string, id: string): Promise<Subscription> => {
    const subscription = await deps.subscriptions.get(tenant, id);
    if (subscription === undefined) throw new SubscriptionNotFoundError(id);
    if (subscription.status !== 'active') {
      throw new InvalidRequestError('invalid_request', 'the subscription is disabled: PATCH it to {"status": "active"} first', [{ path: 'status', message: `is ${subscription.status}` }]);
    }
    return subscription;
  };
  const queue = async (subscription: Subscription, events: readonly PublishedDetail[]): Promise<void> => {
    for (const event of events) {
      await deps.ledger.recordFailure({
        tenant: subscription.tenant,
        runId: event.runId,
        subscriber: subscription.id,
        kind: 'webhook',
        seq: event.seq,
        status: 'pending',
        attempts: 0,
        webhookId: webhookIdOf(subscription.id, event),
      });
    }
    const jobs: DeliveryJob[] = events.map((event) => ({ tenant: subscription.tenant, subscriptionId: subscription.id, event, attempt: 1 }));
    await deps.queue.enqueue(jobs, 0);
  };
  return {
    async replay(tenant: string, id: string, body: unknown): Promise<QueuedReplay> {
      const input = parseSubscriptionBody(ReplayBodySchema, body);
      const subscription = await activeSubscription(tenant, id);
      const run = await deps.events.getRun(tenant, input.runId);
      if (run === undefined) throw new RunNotFoundError(input.runId);
      const afterSeq = input.afterSeq ?? 0;
      // The range is fixed now: events stored later reach the subscription live, not by this replay.
      const throughSeq = lastSeqOf(run);
      const matches = matcherOf(subscription.filter);
      const queued: Array<{ runId: string; seq: number }> = [];
      for (let from = afterSeq; from < throughSeq; ) {
        const page = await deps.events.listEvents(tenant, input.runId, { afterSeq: from, limit: PAGE });
        for (const stored of page) if (stored.seq <= throughSeq && matches({ ...stored, tenant })) queued.push({ runId: stored.runId, seq: stored.seq });
        const last = page.at(-1);
        if (last === undefined || page.length < PAGE) break;
        from = last.seq;
      }
      const now = deps.clock.now();
      const replayId = (deps.newId ?? newReplayId)(now);
      const key: LedgerKey = { tenant, runId: input.runId, subscriber: subscription.id, kind: 'webhook' };
      await deps.replays.startReplay({ ...key, replayId, fromSeq: afterSeq + 1, toSeq: throughSeq, nextSeq: afterSeq + 1, status: 'running', step: 0, queuedAt: now.toISOString(), updatedAt: now.toISOString() });
      const job: ReplayJob = { kind: 'replay', tenant, subscriptionId: subscription.id, runId: input.runId, replayId, afterSeq, throughSeq, attempt: 1, step: 0 };
      await deps.queue.enqueue([job], 0);
      return { queued, count: queued.length, replayId, fromSeq: afterSeq + 1, toSeq: throughSeq };
    },
    async redrive(tenant: string, id: string, body: unknown): Promise<Queued> {
      const input = parseSubscriptionBody(RedriveBodySchema, body ?? {});
      const subscription = await activeSubscription(tenant, id);
      const dead = await deps.ledger.listDead(tenant, subscription.id, input.runId);
      const events: PublishedDetail[] = [];
      for (const failure of dead) {
        const [stored] = await deps.events.listEvents(tenant, failure.runId, { afterSeq: failure.seq - 1, limit: 1 });
        // Past retention the event is gone: nothing to send.
        if (stored?.seq === failure.seq) events.push({ ...stored, tenant });
      }
      await queue(subscription, events);
      return { queued: events.map(({ runId, seq }) => ({ runId, seq })), count: events.length };
    },
  };
}
