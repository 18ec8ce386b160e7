import type { PublishedDetail } from '../bus/published-event.ts';

/** One event to one subscription, and which attempt this is (1 the first). */
export type DeliveryJob = {
  readonly tenant: string;
  readonly subscriptionId: string;
  readonly event: PublishedDetail;
  readonly attempt: number;
};

/**
 * Where jobs wait for their turn: SQS in AWS (a delay per message), an in-process queue per
 * subscription locally. `delayMs` 0 is now.
 */
export interface DeliveryQueue {
  enqueue(jobs: readonly DeliveryJob[], delayMs: number): Promise<void>;
}

/** What a receiver answered: its status, and `Retry-After` when it sent one. */
export type SendAnswer = { readonly status: number; readonly retryAfter?: string | undefined };

/** Sends one signed request; throws when no answer came (refused, reset, timed out, forbidden address). */
export type WebhookSender = (request: { url: string; headers: Record<string, string>; body: string }) => Promise<SendAnswer>;

/** The log line of a delivery dead after its schedule: the dead-deliveries alarm's metric filter counts it. */
export const DEAD_DELIVERY_LOG_MESSAGE = 'webhook delivery dead';
