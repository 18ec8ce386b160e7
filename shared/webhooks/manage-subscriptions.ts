import { randomBytes } from 'node:crypto';
import type { Clock } from '../ports.ts';
import type { SubscriptionStore } from './ports.ts';
import {
  addressProblem,
  CreateSubscriptionBodySchema,
  parseFilter,
  parseSubscriptionBody,
  parseWebhookUrl,
  SubscriptionNotFoundError,
  toSubscriptionView,
  UpdateSubscriptionBodySchema,
  type Subscription,
  type SubscriptionChanges,
  type SubscriptionView,
} from './subscription.ts';

/** Checks that a URL's host may be called (AWS: public addresses only); throws the address errors of subscription.ts. */
export type HostCheck = (host: string) => Promise<void>;

/**
 * The subscription routes' use cases: validate (shape, URL, filter as EventBridge would, the
 * host's addresses), then one store call. The secret is made here and returned by create only.
 */
export function makeManageSubscriptions(deps: { store: SubscriptionStore; clock: Clock; checkHost: HostCheck }) {
  const checkUrl = async (input: string): Promise<string> => {
    const url = parseWebhookUrl(input);
    try {
      await deps.checkHost(url.hostname.replace(/^\[|\]$/g, ''));
    } catch (error: unknown) {
      throw addressProblem(error) ?? error;
    }
    return url.toString();
  };
  const found = (id: string, subscription: Subscription | undefined): SubscriptionView => {
    if (subscription === undefined) throw new SubscriptionNotFoundError(id);
    return toSubscriptionView(subscription);
  };
  return {
    async create(tenant: string, body: unknown): Promise<{ subscription: SubscriptionView; secret: string }> {
      const input = parseSubscriptionBody(CreateSubscriptionBodySchema, body);
      const filter = parseFilter(input.filter);
      const url = await checkUrl(input.url);
      const now = deps.clock.now().toISOString();
      const subscription: Subscription = {
        id: `sub_${randomBytes(12).toString('hex')}`,
        tenant,
        url,
        filter,
        ...(input.description === undefined ? {} : { description: input.description }),
        status: 'active',
        createdAt: now,
        updatedAt: now,
        secret: `whsec_${randomBytes(32).toString('base64')}`,
      };
      await deps.store.create(subscription);
      return { subscription: toSubscriptionView(subscription), secret: subscription.secret };
    },
    async list(tenant: string): Promise<SubscriptionView[]> {
      return (await deps.store.list(tenant)).map(toSubscriptionView);
    },
    async get(tenant: string, id: string): Promise<SubscriptionView> {
      return found(id, await deps.store.get(tenant, id));
    },
    async update(tenant: string, id: string, body: unknown): Promise<SubscriptionView> {
      const input = parseSubscriptionBody(UpdateSubscriptionBodySchema, body);
      const changes: SubscriptionChanges = {
        ...(input.filter === undefined ? {} : { filter: parseFilter(input.filter) }),
        ...(input.url === undefined ? {} : { url: await checkUrl(input.url) }),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.status === undefined ? {} : { status: input.status }),
      };
      return found(id, await deps.store.update(tenant, id, changes, deps.clock.now()));
    },
    async delete(tenant: string, id: string): Promise<void> {
      if (!(await deps.store.delete(tenant, id))) throw new SubscriptionNotFoundError(id);
    },
  };
}
