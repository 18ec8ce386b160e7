import * as z from 'zod/mini';
import { PRESETS } from '#shared/bus/observer-filter.ts';
import { DELIVERY_STATUSES } from '#shared/webhooks/ledger-view.ts';
import { REPLAY_STATUSES } from '#shared/webhooks/ports.ts';
import { RedriveBodySchema, ReplayBodySchema } from '#shared/webhooks/replay.ts';
import { SUBSCRIPTION_STATUSES } from '#shared/webhooks/subscription.ts';

/** The filter as documented (the route validates it with the observers' own schema and the EventBridge pattern rules). */
const FilterSchema = z
  .union([
    z.object({ preset: z.enum(Object.keys(PRESETS) as [keyof typeof PRESETS, ...Array<keyof typeof PRESETS>]) }),
    z.object({ types: z.array(z.string()).check(z.minLength(1)) }),
    z.object({ pattern: z.record(z.string(), z.unknown()) }),
  ])
  .check(z.describe('A preset, an explicit list of event types (custom:* allowed), or an EventBridge event pattern (validated as EventBridge would).'));

const SubscriptionSchema = z.object({
  id: z.string(),
  url: z.string().check(z.describe('http(s); in AWS it must resolve to public addresses only (checked again on every send).')),
  filter: FilterSchema,
  description: z.optional(z.string()),
  status: z.enum(SUBSCRIPTION_STATUSES),
  disabledReason: z.optional(z.string().check(z.describe('Why it is disabled: by its owner, or automatically after failing too long.'))),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});

const QueuedSchema = z.object({ queued: z.array(z.object({ runId: z.string(), seq: z.int() })), count: z.int() });

const QueuedReplaySchema = z.object({
  queued: z.array(z.object({ runId: z.string(), seq: z.int() })).check(z.describe('The events the filter matches now, in the order they will be sent.')),
  count: z.int(),
  replayId: z.string().check(z.describe('`rpl_...`: the replay in the run\'s deliveries (`replays`).')),
  fromSeq: z.int().check(z.describe('`afterSeq + 1`.')),
  toSeq: z.int().check(z.describe('The run\'s last seq when the replay was asked for: events stored later reach the subscription live.')),
});

/** The webhook routes' components, merged into COMPONENT_SCHEMAS. */
export const WEBHOOK_COMPONENTS = {
  Subscription: SubscriptionSchema,
  SubscriptionFilter: FilterSchema,
  NewSubscription: z.object({ url: z.string(), filter: FilterSchema, description: z.optional(z.string().check(z.maxLength(500))) }),
  SubscriptionChanges: z.object({ url: z.optional(z.string()), filter: z.optional(FilterSchema), description: z.optional(z.string()), status: z.optional(z.enum(SUBSCRIPTION_STATUSES)) }),
  CreatedSubscription: z.object({ subscription: SubscriptionSchema, secret: z.string().check(z.describe('`whsec_...`: shown this once. Verify signatures with it (Standard Webhooks).')) }),
  SubscriptionAnswer: z.object({ subscription: SubscriptionSchema }),
  SubscriptionList: z.object({ subscriptions: z.array(SubscriptionSchema) }),
  ReplayRequest: ReplayBodySchema,
  RedriveRequest: RedriveBodySchema,
  QueuedDeliveries: QueuedSchema,
  QueuedReplay: QueuedReplaySchema,
  DeliveryLedger: z.object({
    deliveries: z.array(
      z.object({
        subscriber: z.string().check(z.describe('A subscription id (sub_...) or an observer function\'s name.')),
        kind: z.enum(['webhook', 'observer']),
        delivered: z.array(z.object({ fromSeq: z.int(), toSeq: z.int() })).check(z.describe('Delivered seqs as inclusive ranges.')),
        deliveredCount: z.int(),
        undelivered: z.array(
          z.object({
            seq: z.int(),
            status: z.enum(DELIVERY_STATUSES),
            attempts: z.int(),
            lastAttemptAt: z.optional(z.iso.datetime({ offset: true })),
            lastError: z.optional(z.string()),
            webhookId: z.optional(z.string()),
          }),
        ),
        replays: z.optional(
          z
            .array(
              z.object({
                replayId: z.string(),
                fromSeq: z.int(),
                toSeq: z.int(),
                nextSeq: z.int().check(z.describe('Every seq before it is delivered, dead or not matched by the filter.')),
                status: z.enum(REPLAY_STATUSES).check(z.describe('running; retrying (the event at nextSeq waits for its next attempt); done; cancelled (the subscription was deleted or disabled).')),
                queuedAt: z.iso.datetime({ offset: true }),
                updatedAt: z.iso.datetime({ offset: true }),
              }),
            )
            .check(z.describe('Replays of the run to this subscription, oldest first; absent when there is none or `status` is given.')),
        ),
      }),
    ),
    nextCursor: z.nullable(z.string()),
  }),
} satisfies Record<string, z.ZodMiniType>;
