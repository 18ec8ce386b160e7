import { describe, expect, it } from 'vitest';
import type { SubscriptionStore } from '#shared/webhooks/ports.ts';
import type { Subscription } from '#shared/webhooks/subscription.ts';
import { uniqueId } from '#test/support/events.ts';

const CREATED_AT = '2026-11-23T10:00:00.000Z';
const LATER = new Date('2026-11-23T11:00:00.000Z');

/** A subscription of a tenant no other test uses, so one table may serve every test. */
function subscriptionOf(tenant: string, overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: uniqueId('sub'),
    tenant,
    url: 'https://hooks.example.com/runledger',
    filter: { types: ['run.completed', 'run.failed'] },
    description: 'billing',
    status: 'active',
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ...overrides,
  };
}

/** A store with one subscription of a fresh tenant in it. */
async function given(make: () => Promise<SubscriptionStore>, overrides: Partial<Subscription> = {}) {
  const store = await make();
  const subscription = subscriptionOf(uniqueId('tenant'), overrides);
  await store.create(subscription);
  return { store, subscription, tenant: subscription.tenant, id: subscription.id };
}

/**
 * What every SubscriptionStore adapter must do, one feature a block. `make` gives a store; tenants
 * are unique per test, so one table may serve every test.
 */
export function describeSubscriptionStoreContract(name: string, make: () => Promise<SubscriptionStore>): void {
  describe(`SubscriptionStore contract: ${name}, tenant scoping`, () => {
    it('gives a created subscription back whole, secret and filter included', async () => {
      const { store, subscription, tenant, id } = await given(make, { filter: { pattern: { detail: { payload: { stage: [{ prefix: 'deploy' }] } } } } });
      expect(await store.get(tenant, id)).toEqual(subscription);
    });

    it('finds a subscription for its own tenant only: another tenant gets nothing by its id or in its list', async () => {
      const { store, tenant, id } = await given(make);
      const other = uniqueId('tenant');
      expect(await store.get(other, id)).toBeUndefined();
      expect(await store.list(other)).toEqual([]);
      expect((await store.list(tenant)).map((subscription) => subscription.id)).toEqual([id]);
    });

    it('refuses a second create with a taken id and keeps the first, secret and all', async () => {
      const { store, subscription, tenant, id } = await given(make);
      await expect(store.create({ ...subscription, url: 'https://evil.example.com/', secret: 'whsec_c2Vjb25k' })).rejects.toThrow();
      expect(await store.get(tenant, id)).toEqual(subscription);
    });

    it('lists a tenant\'s subscriptions oldest first, by id within the same instant', async () => {
      const store = await make();
      const tenant = uniqueId('tenant');
      const newest = subscriptionOf(tenant, { id: 'sub_a', createdAt: '2026-11-23T12:00:00.000Z' });
      const tiedB = subscriptionOf(tenant, { id: 'sub_c' });
      const tiedA = subscriptionOf(tenant, { id: 'sub_b' });
      for (const subscription of [newest, tiedB, tiedA]) await store.create(subscription);
      expect((await store.list(tenant)).map((subscription) => subscription.id)).toEqual(['sub_b', 'sub_c', 'sub_a']);
    });

    it('leaves another tenant\'s subscription alone: its update, delete and failure clock answer not found', async () => {
      const { store, subscription, tenant, id } = await given(make);
      const other = uniqueId('tenant');
      expect(await store.update(other, id, { url: 'https://evil.example.com/' }, LATER)).toBeUndefined();
      expect(await store.delete(other, id)).toBe(false);
      expect(await store.markFailing(other, id, LATER)).toBeUndefined();
      await store.markHealthy(other, id);
      expect(await store.get(tenant, id)).toEqual(subscription);
      expect(await store.get(other, id)).toBeUndefined();
    });
  });

  describe(`SubscriptionStore contract: ${name}, update and delete`, () => {
    it('changes only the fields given, stamps updatedAt, and answers the subscription as it is now', async () => {
      const { store, subscription, tenant, id } = await given(make);
      const updated = await store.update(tenant, id, { url: 'https://hooks.example.com/v2', filter: { preset: 'minimal' } }, LATER);
      const expected = { ...subscription, url: 'https://hooks.example.com/v2', filter: { preset: 'minimal' }, updatedAt: LATER.toISOString() };
      expect(updated).toEqual(expected);
      expect(await store.get(tenant, id)).toEqual(expected);
    });

    it('answers undefined for an unknown id and creates nothing', async () => {
      const store = await make();
      const tenant = uniqueId('tenant');
      expect(await store.update(tenant, 'sub_missing', { description: 'x' }, LATER)).toBeUndefined();
      expect(await store.get(tenant, 'sub_missing')).toBeUndefined();
      expect(await store.list(tenant)).toEqual([]);
    });

    it('disables with the reason given, or the owner\'s by default, and keeps the failure streak', async () => {
      const { store, tenant, id } = await given(make);
      await store.markFailing(tenant, id, new Date(CREATED_AT));
      expect(await store.update(tenant, id, { status: 'disabled' }, LATER)).toMatchObject({ status: 'disabled', disabledReason: 'disabled by its owner', failingSince: CREATED_AT });
      expect(await store.update(tenant, id, { status: 'disabled', disabledReason: 'disabled automatically: every delivery failed' }, LATER)).toMatchObject({
        disabledReason: 'disabled automatically: every delivery failed',
      });
    });

    it('keeps the reason through a change that is not a status change, and ignores a reason without one', async () => {
      const { store, tenant, id } = await given(make, { status: 'disabled', disabledReason: 'disabled by its owner' });
      expect(await store.update(tenant, id, { description: 'still off', disabledReason: 'ignored' }, LATER)).toMatchObject({ status: 'disabled', description: 'still off', disabledReason: 'disabled by its owner' });
    });

    it('enables with a clean slate: no reason, no failure streak', async () => {
      const { store, tenant, id } = await given(make);
      await store.markFailing(tenant, id, new Date(CREATED_AT));
      await store.update(tenant, id, { status: 'disabled' }, LATER);
      const enabled = await store.update(tenant, id, { status: 'active' }, LATER);
      expect(enabled).toMatchObject({ status: 'active' });
      expect(enabled).not.toHaveProperty('disabledReason');
      expect(enabled).not.toHaveProperty('failingSince');
      expect(await store.get(tenant, id)).toEqual(enabled);
    });

    it('deletes once: true while it exists, false after, and it is gone from get and list', async () => {
      const { store, tenant, id } = await given(make);
      expect(await store.delete(tenant, id)).toBe(true);
      expect(await store.delete(tenant, id)).toBe(false);
      expect(await store.get(tenant, id)).toBeUndefined();
      expect(await store.list(tenant)).toEqual([]);
      expect(await store.update(tenant, id, { description: 'back?' }, LATER)).toBeUndefined();
    });

    it('hands out copies: changing what it answered changes nothing stored', async () => {
      const { store, subscription, tenant, id } = await given(make);
      const got = await store.get(tenant, id);
      if (got === undefined || !('types' in got.filter)) throw new Error('the subscription was not found with its types filter');
      got.filter.types.push('token');
      expect(await store.get(tenant, id)).toEqual(subscription);
    });
  });

  describe(`SubscriptionStore contract: ${name}, failure streak`, () => {
    it('starts the clock at the first failure and answers that start at every later one', async () => {
      const { store, tenant, id } = await given(make);
      const first = new Date('2026-11-23T10:05:00.000Z');
      expect(await store.markFailing(tenant, id, first)).toEqual(first);
      expect(await store.markFailing(tenant, id, LATER)).toEqual(first);
      expect(await store.get(tenant, id)).toMatchObject({ failingSince: first.toISOString(), updatedAt: CREATED_AT });
    });

    it('stops the clock on a success, so the next failure starts a new streak', async () => {
      const { store, subscription, tenant, id } = await given(make);
      await store.markFailing(tenant, id, new Date(CREATED_AT));
      await store.markHealthy(tenant, id);
      expect(await store.get(tenant, id)).toEqual(subscription);
      expect(await store.markFailing(tenant, id, LATER)).toEqual(LATER);
    });

    it('does nothing for a healthy subscription\'s success, or an unknown one\'s failure or success', async () => {
      const { store, subscription, tenant, id } = await given(make);
      await store.markHealthy(tenant, id);
      expect(await store.get(tenant, id)).toEqual(subscription);
      expect(await store.markFailing(tenant, 'sub_missing', LATER)).toBeUndefined();
      await store.markHealthy(tenant, 'sub_missing');
      expect(await store.get(tenant, 'sub_missing')).toBeUndefined();
    });
  });
}
