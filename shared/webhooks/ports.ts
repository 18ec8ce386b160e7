import type { Subscription, SubscriptionChanges } from './subscription.ts';

/** A tenant's webhook subscriptions. Every call is scoped to the tenant: another tenant's id is not found. */
export interface SubscriptionStore {
  create(subscription: Subscription): Promise<void>;
  get(tenant: string, id: string): Promise<Subscription | undefined>;
  list(tenant: string): Promise<Subscription[]>;
  /** Applies the changes; undefined when there is no such subscription. A status change clears or sets the reason. */
  update(tenant: string, id: string, changes: SubscriptionChanges & { disabledReason?: string }, at: Date): Promise<Subscription | undefined>;
  /** Whether it existed. */
  delete(tenant: string, id: string): Promise<boolean>;
  /** Starts the failure clock unless it runs already; answers when the streak began. */
  markFailing(tenant: string, id: string, at: Date): Promise<Date | undefined>;
  /** Stops the failure clock (a success). */
  markHealthy(tenant: string, id: string): Promise<void>;
}

/** Who received a run's events: a webhook subscription or an observer function. */
export type SubscriberKind = 'webhook' | 'observer';

/** A subscriber and one run: the unit the ledger answers for. */
export type LedgerKey = { readonly tenant: string; readonly runId: string; readonly subscriber: string; readonly kind: SubscriberKind };

/**
 * Failed (retrying), dead (schedule spent) or pending (queued by a redrive, not tried
 * yet). One record per event, kept until a success supersedes it: the ledger shows an event as
 * delivered once it is, whatever records of earlier failures remain.
 */
export type DeliveryFailure = LedgerKey & {
  readonly seq: number;
  readonly status: 'pending' | 'failed' | 'dead';
  readonly attempts: number;
  readonly lastAttemptAt?: string | undefined;
  readonly lastError?: string | undefined;
  readonly webhookId?: string | undefined;
};

/**
 * Where a replay stands: running (sending, or about to), retrying (the event at `nextSeq` failed
 * and waits for its next attempt), done (every event up to `toSeq` delivered or dead), cancelled
 * (the subscription was deleted or disabled; a new replay with `afterSeq: nextSeq - 1` goes on).
 */
export const REPLAY_STATUSES = ['running', 'retrying', 'done', 'cancelled'] as const;
export type ReplayStatus = (typeof REPLAY_STATUSES)[number];

/**
 * One replay of a run to a subscriber, as ONE ledger item: the range it was asked for, how far it
 * got (`nextSeq`: every seq before it is delivered, dead or not matched by the filter) and its
 * status. Written once when asked for and at most once per slice, whatever the run's length.
 */
export type ReplayRecord = LedgerKey & {
  readonly replayId: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly nextSeq: number;
  readonly status: ReplayStatus;
  /** The slice the replay is at: a job of an earlier slice is a stale copy. */
  readonly step: number;
  readonly queuedAt: string;
  readonly updatedAt: string;
};

/** Delivered seqs of one subscriber and run: what the ledger records in aggregate. */
export type DeliveredEntry = LedgerKey & { readonly seqs: readonly number[] };

/**
 * Where an observer invocation's successes wait to be written to the ledger together with many
 * other invocations' (the ledger queue in AWS, drained in large batches by the ledger writer): one
 * message a call, so the ledger costs a fraction of a write per delivery even when each invocation
 * carries one event.
 */
export interface DeliveredQueue {
  send(entries: readonly DeliveredEntry[]): Promise<void>;
}

/**
 * One page of a run's ledger: delivered seqs per subscriber (a subscriber may have several
 * entries, and entries on several pages), the failure records of events not delivered since,
 * wherever on the ledger the delivery is, and (where the adapter keeps them) replays. A page may
 * hold fewer records than the limit, none even, and still have a `next`.
 */
export type LedgerPage = {
  readonly delivered: ReadonlyArray<LedgerKey & { readonly seqs: readonly number[] }>;
  /** Records of events not delivered: a failure superseded by a later success is left out. */
  readonly failures: readonly DeliveryFailure[];
  readonly replays?: readonly ReplayRecord[];
  readonly next: string | undefined;
};

/**
 * The replays' side of the ledger, apart from DeliveryLedger so that its other adapters need not
 * keep replays. `advance` moves a replay on by one slice unless a later slice already did (then it
 * answers false and changes nothing).
 */
export interface ReplayLedger {
  startReplay(record: ReplayRecord): Promise<void>;
  getReplay(key: LedgerKey, replayId: string): Promise<ReplayRecord | undefined>;
  advanceReplay(key: LedgerKey, replayId: string, progress: { readonly fromStep: number; readonly nextSeq: number; readonly status: ReplayStatus; readonly at: Date }): Promise<boolean>;
}

/**
 * The delivery ledger. Successes are recorded in aggregate (many seqs of one subscriber and run
 * in one write), failures one by one: successes are nearly every delivery, so they must cost a
 * fraction of a write each.
 */
export interface DeliveryLedger {
  recordDelivered(entries: ReadonlyArray<LedgerKey & { readonly seqs: readonly number[] }>, at: Date): Promise<void>;
  recordFailure(failure: DeliveryFailure): Promise<void>;
  readRun(tenant: string, runId: string, options: { cursor?: string | undefined; limit: number }): Promise<LedgerPage>;
  /** Dead deliveries of one subscriber (all its runs, or one), by run id, then seq. */
  listDead(tenant: string, subscriber: string, runId?: string): Promise<DeliveryFailure[]>;
}
