import * as z from 'zod/mini';
import { compilePattern } from '../bus/event-pattern.ts';
import { toEventPattern } from '../bus/filter-pattern.ts';
import { EVENT_SOURCE } from '../bus/filter-pattern.ts';
import type { PublishedDetail } from '../bus/published-event.ts';
import { RunIdSchema } from '../contract/ids.ts';
import { InvalidRequestError, RunNotFoundError } from '../errors.ts';
import type { EventStore } from '../ports.ts';
import type { DeliveryJob, DeliveryQueue } from './delivery-job.ts';
import { webhookIdOf } from './webhook-message.ts';
import type { DeliveryLedger, SubscriptionStore } from './ports.ts';
import { parseSubscriptionBody, SubscriptionNotFoundError, type Subscription } from './subscription.ts';

export const ReplayBodySchema = z.strictObject({ runId: RunIdSchema, afterSeq: z.optional(z.int().check(z.gte(0))) });
export const RedriveBodySchema = z.strictObject({ runId: z.optional(RunIdSchema) });

/** What a replay or redrive queued: each event by run and seq, in the order it will be sent. */
export type Queued = { queued: Array<{ runId: string; seq: number }>; count: number };

const PAGE = 500;

/**
 * Replay sends a run's stored history (seq order, through the subscription's filter) to a
 * subscription; redrive sends its dead deliveries again, each from attempt 1 of a new schedule.
 * Both mark what they queued `pending` in the ledger first, so the ledger shows it at once.
 */
export function makeReplay(deps: { subscriptions: SubscriptionStore; ledger: DeliveryLedger; events: EventStore; queue: DeliveryQueue }) {
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
    async replay(tenant: string, id: string, body: unknown): Promise<Queued> {
      const input = parseSubscriptionBody(ReplayBodySchema, body);
      const subscription = await activeSubscription(tenant, id);
      if ((await deps.events.getRun(tenant, input.runId)) === undefined) throw new RunNotFoundError(input.runId);
      const matches = compilePattern(toEventPattern(subscription.filter));
      const chosen: PublishedDetail[] = [];
      let afterSeq = input.afterSeq ?? 0;
      for (;;) {
        const page = await deps.events.listEvents(tenant, input.runId, { afterSeq, limit: PAGE });
        for (const stored of page) {
          const detail: PublishedDetail = { ...stored, tenant };
          if (matches({ source: EVENT_SOURCE, 'detail-type': stored.type, detail })) chosen.push(detail);
        }
        const last = page.at(-1);
        if (last === undefined || page.length < PAGE) break;
        afterSeq = last.seq;
      }
      await queue(subscription, chosen);
      return { queued: chosen.map(({ runId, seq }) => ({ runId, seq })), count: chosen.length };
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
