import type { PublishedDetail } from '../bus/published-event.ts';

/** One event to one subscription, and which attempt this is (1 the first). */
export type DeliveryJob = {
  readonly tenant: string;
  readonly subscriptionId: string;
  readonly event: PublishedDetail;
  readonly attempt: number;
};

/**
 * A replay of one run's stored history to one subscription, as ONE job that walks the run in seq
 * order: it sends the events after `afterSeq` up to `throughSeq` (the run's last seq when the
 * replay was asked for) one after another, and goes back on the queue to go on (the next slice, or
 * the same event again after a failure's delay). `attempt` is the attempt of the first event after
 * `afterSeq`; `step` counts the slices, so a stale copy of a job (SQS delivers at least once) is
 * recognised against the replay's ledger record and dropped.
 */
export type ReplayJob = {
  readonly kind: 'replay';
  readonly tenant: string;
  readonly subscriptionId: string;
  readonly runId: string;
  readonly replayId: string;
  readonly afterSeq: number;
  readonly throughSeq: number;
  readonly attempt: number;
  readonly step: number;
};

/** What the delivery queue carries: one event's delivery (live fan-out, redrive) or a replay. */
export type WebhookJob = DeliveryJob | ReplayJob;

export function isReplayJob(job: WebhookJob): job is ReplayJob {
  return 'kind' in job && job.kind === 'replay';
}

/**
 * Where jobs wait for their turn: SQS in AWS (a delay per message), an in-process queue per
 * subscription locally. `delayMs` 0 is now. Jobs are plain JSON, whatever their kind.
 */
export interface DeliveryQueue {
  enqueue(jobs: readonly WebhookJob[], delayMs: number): Promise<void>;
}

/** What a receiver answered: its status, and `Retry-After` when it sent one. */
export type SendAnswer = { readonly status: number; readonly retryAfter?: string | undefined };

/** Sends one signed request; throws when no answer came (refused, reset, timed out, forbidden address). */
export type WebhookSender = (request: { url: string; headers: Record<string, string>; body: string }) => Promise<SendAnswer>;

/** The log line of a delivery dead after its schedule: the dead-deliveries alarm's metric filter counts it. */
export const DEAD_DELIVERY_LOG_MESSAGE = 'webhook delivery dead';
