import type { SubscriptionStore } from '#shared/webhooks/ports.ts';
import { OWNER_DISABLED_REASON, type Subscription, type SubscriptionChanges } from '#shared/webhooks/subscription.ts';

/**
 * Webhook subscriptions in a Map per tenant, for unit tests of the webhook use cases. It passes
 * the same contract suite as DynamoDbSubscriptionStore, and hands out copies as DynamoDB does, so
 * a test that changes what it got back cannot change what is stored.
 */
export class MemorySubscriptionStore implements SubscriptionStore {
  readonly #byTenant = new Map<string, Map<string, Subscription>>();

  create(subscription: Subscription): Promise<void> {
    const subscriptions = this.#tenant(subscription.tenant);
    // DynamoDB's create is conditional on the id being free: a second create must not overwrite the first's secret.
    if (subscriptions.has(subscription.id)) return Promise.reject(new Error(`subscription '${subscription.id}' exists already`));
    subscriptions.set(subscription.id, structuredClone(subscription));
    return Promise.resolve();
  }

  get(tenant: string, id: string): Promise<Subscription | undefined> {
    const subscription = this.#byTenant.get(tenant)?.get(id);
    return Promise.resolve(subscription === undefined ? undefined : structuredClone(subscription));
  }

  list(tenant: string): Promise<Subscription[]> {
    const subscriptions = [...(this.#byTenant.get(tenant)?.values() ?? [])].map((subscription) => structuredClone(subscription));
    return Promise.resolve(subscriptions.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)));
  }

  update(tenant: string, id: string, changes: SubscriptionChanges & { disabledReason?: string }, at: Date): Promise<Subscription | undefined> {
    const current = this.#byTenant.get(tenant)?.get(id);
    if (current === undefined) return Promise.resolve(undefined);
    // Only the fields given change: undefined means "not given", as in the DynamoDB update expression.
    const given = Object.fromEntries(Object.entries({ url: changes.url, filter: changes.filter, description: changes.description, status: changes.status }).filter(([, value]) => value !== undefined));
    const { disabledReason, failingSince, ...rest }: Subscription = { ...current, ...given, updatedAt: at.toISOString() };
    const reason = changes.status === 'disabled' ? (changes.disabledReason ?? OWNER_DISABLED_REASON) : disabledReason;
    // Enabling again starts with a clean slate: no reason, no failure streak.
    const updated: Subscription =
      changes.status === 'active' ? rest : { ...rest, ...(reason === undefined ? {} : { disabledReason: reason }), ...(failingSince === undefined ? {} : { failingSince }) };
    this.#tenant(tenant).set(id, structuredClone(updated));
    return Promise.resolve(structuredClone(updated));
  }

  delete(tenant: string, id: string): Promise<boolean> {
    return Promise.resolve(this.#byTenant.get(tenant)?.delete(id) ?? false);
  }

  markFailing(tenant: string, id: string, at: Date): Promise<Date | undefined> {
    const current = this.#byTenant.get(tenant)?.get(id);
    if (current === undefined) return Promise.resolve(undefined);
    const failingSince = current.failingSince ?? at.toISOString();
    this.#tenant(tenant).set(id, { ...current, failingSince });
    return Promise.resolve(new Date(failingSince));
  }

  markHealthy(tenant: string, id: string): Promise<void> {
    const current = this.#byTenant.get(tenant)?.get(id);
    if (current?.failingSince !== undefined) {
      const { failingSince: _since, ...healthy } = current;
      this.#tenant(tenant).set(id, healthy);
    }
    return Promise.resolve();
  }

  #tenant(tenant: string): Map<string, Subscription> {
    let subscriptions = this.#byTenant.get(tenant);
    if (subscriptions === undefined) {
      subscriptions = new Map();
      this.#byTenant.set(tenant, subscriptions);
    }
    return subscriptions;
  }
}
