import { createHash } from 'node:crypto';
import type { PublishedDetail } from '../bus/published-event.ts';

/**
 * The Standard Webhooks message id of one event to one subscription: derived, not stored, so every
 * retry, a redrive and a replay of that event to that subscription carry the same `webhook-id` and
 * a receiver that keeps the ids it processed drops the repeat. Nothing needs claiming to keep it
 * stable across processes.
 */
export function webhookIdOf(subscriptionId: string, event: { tenant: string; runId: string; eventId: string }): string {
  const digest = createHash('sha256').update(`${subscriptionId}\n${event.tenant}\n${event.runId}\n${event.eventId}`).digest('base64url');
  return `msg_${digest.slice(0, 27)}`;
}

/** The body Standard Webhooks describes: `{type, timestamp, data}`, data the stored event (without the tenant). */
export function webhookBody(detail: PublishedDetail): string {
  const { tenant: _tenant, ...event } = detail;
  return JSON.stringify({ type: detail.type, timestamp: detail.receivedAt, data: event });
}
