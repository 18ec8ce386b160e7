import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { FilterSchema } from '#shared/webhooks/filter-schema.ts';
import type { SubscriptionStore } from '#shared/webhooks/ports.ts';
import { OWNER_DISABLED_REASON, SUBSCRIPTION_STATUSES, type Subscription, type SubscriptionChanges } from '#shared/webhooks/subscription.ts';
import { isConditionFailure } from './condition-failure.ts';
import { subscriptionsPk } from './keys.ts';

/** A subscription item read back: parsed, never cast. */
const SubscriptionItemSchema = z.object({
  id: z.string(),
  tenant: z.string(),
  url: z.string(),
  filter: FilterSchema,
  description: z.optional(z.string()),
  status: z.enum(SUBSCRIPTION_STATUSES),
  disabledReason: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  secret: z.string(),
  failingSince: z.optional(z.string()),
});

const parseItem = (item: unknown): Subscription => SubscriptionItemSchema.parse(item);

/**
 * Subscriptions, one item each in the tenant's `W#<tenant>#SUBS` partition: listing a tenant's is
 * one Query (a tenant has tens, not millions), reading one a GetItem, and another tenant's id
 * simply is not in the partition.
 */
export class DynamoDbSubscriptionStore implements SubscriptionStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async create(subscription: Subscription): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { pk: subscriptionsPk(subscription.tenant), sk: subscription.id, ...subscription },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(tenant: string, id: string): Promise<Subscription | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: { pk: subscriptionsPk(tenant), sk: id }, ConsistentRead: true }));
    return Item === undefined ? undefined : parseItem(Item);
  }

  async list(tenant: string): Promise<Subscription[]> {
    const subscriptions: Subscription[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({ TableName: this.#tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': subscriptionsPk(tenant) }, ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) subscriptions.push(parseItem(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return subscriptions.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async update(tenant: string, id: string, changes: SubscriptionChanges & { disabledReason?: string }, at: Date): Promise<Subscription | undefined> {
    const sets: string[] = ['updatedAt = :updatedAt'];
    const removes: string[] = [];
    const values: Record<string, unknown> = { ':updatedAt': at.toISOString() };
    const names: Record<string, string> = {};
    for (const [field, value] of Object.entries({ url: changes.url, filter: changes.filter, description: changes.description, status: changes.status })) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (changes.status === 'disabled') {
      sets.push('disabledReason = :reason');
      values[':reason'] = changes.disabledReason ?? OWNER_DISABLED_REASON;
    }
    // Enabling again starts with a clean slate: no reason, no failure streak.
    if (changes.status === 'active') removes.push('disabledReason', 'failingSince');
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: subscriptionsPk(tenant), sk: id },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length === 0 ? '' : ` REMOVE ${removes.join(', ')}`}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: values,
          ...(Object.keys(names).length === 0 ? {} : { ExpressionAttributeNames: names }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes === undefined ? undefined : parseItem(Attributes);
    } catch (error: unknown) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    const { Attributes } = await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: { pk: subscriptionsPk(tenant), sk: id }, ReturnValues: 'ALL_OLD' }));
    return Attributes !== undefined;
  }

  async markFailing(tenant: string, id: string, at: Date): Promise<Date | undefined> {
    try {
      const { Attributes } = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: { pk: subscriptionsPk(tenant), sk: id },
          UpdateExpression: 'SET failingSince = if_not_exists(failingSince, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const since = z.object({ failingSince: z.string() }).safeParse(Attributes);
      return since.success ? new Date(since.data.failingSince) : undefined;
    } catch (error: unknown) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async markHealthy(tenant: string, id: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({ TableName: this.#tableName, Key: { pk: subscriptionsPk(tenant), sk: id }, UpdateExpression: 'REMOVE failingSince', ConditionExpression: 'attribute_exists(failingSince)' }),
      );
    } catch (error: unknown) {
      // Healthy already (the usual case): nothing to write.
      if (!isConditionFailure(error)) throw error;
    }
  }
}
