import { compilePattern, type CompiledPattern } from '../bus/event-pattern.ts';
import { toEventPattern } from '../bus/filter-pattern.ts';
import type { PublishedDetail } from '../bus/published-event.ts';
import type { Clock } from '../ports.ts';
import type { DeliveryQueue } from './delivery-job.ts';
import type { SubscriptionStore } from './ports.ts';
import type { Subscription } from './subscription.ts';

/** The bus event shape a pattern is matched against (EventBridge matches the whole event). */
export type MatchableEvent = { source: string; 'detail-type': string; detail: PublishedDetail };

/**
 * From one published event to one job per matching active subscription of its tenant. The
 * tenant's subscriptions are read at most once per `cacheMs` per process (0: every event), so a
 * burst costs one Query, and a new or changed subscription applies within that time.
 */
export function makeWebhookFanOut(deps: { store: SubscriptionStore; queue: DeliveryQueue; clock: Clock; cacheMs: number }) {
  const cache = new Map<string, { until: number; subscriptions: Array<{ subscription: Subscription; matches: CompiledPattern }> }>();
  const subscriptionsOf = async (tenant: string) => {
    const now = deps.clock.now().getTime();
    const cached = cache.get(tenant);
    if (cached !== undefined && cached.until > now) return cached.subscriptions;
    const active = (await deps.store.list(tenant)).filter((subscription) => subscription.status === 'active');
    const compiled = active.map((subscription) => ({ subscription, matches: compilePattern(toEventPattern(subscription.filter)) }));
    if (deps.cacheMs > 0) cache.set(tenant, { until: now + deps.cacheMs, subscriptions: compiled });
    return compiled;
  };
  return async (event: MatchableEvent): Promise<number> => {
    const { tenant } = event.detail;
    const matching = (await subscriptionsOf(tenant)).filter(({ matches }) => matches(event));
    await deps.queue.enqueue(
      matching.map(({ subscription }) => ({ tenant, subscriptionId: subscription.id, event: event.detail, attempt: 1 })),
      0,
    );
    return matching.length;
  };
}
