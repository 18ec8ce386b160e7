import type { RunEvent, StoredEvent } from './contract/event.ts';
import type { EventWrite, GuardWrite, HeldGuard, StoredAt } from './run/append-plan.ts';
import type { RunState } from './run/run-state.ts';
import type { RunStats } from './run/stats.ts';
import type { StalePolicy } from './run/staleness.ts';
import type { RunStatus } from './run/status.ts';

/** Where "now" comes from: injected so tests control time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** One validated event offered to a run, with its fingerprint and its place in the request. */
export type AppendCandidate = {
  readonly event: RunEvent;
  /** Fingerprint of the event's content: the same eventId with another hash is a conflict. */
  readonly hash: string;
  /** Position in the request, so outcomes map back to request order. */
  readonly index: number;
};

/** What happened to one candidate. `rejected.field` names the envelope field at fault, if one is. */
export type AppendOutcome =
  | { readonly outcome: 'accepted' | 'duplicate'; readonly seq: number }
  | { readonly outcome: 'conflict'; readonly message: string; readonly seq?: number }
  | { readonly outcome: 'rejected'; readonly message: string; readonly field?: 'seq' };

export type ListEventsOptions = { readonly afterSeq: number; readonly limit: number };

/** `before` is a run list position (runListKey) from an earlier page: the page starts after it. */
export type ListRunsQuery = { readonly status?: RunStatus; readonly threadId?: string; readonly limit: number; readonly before?: string };
export type RunsPage = { readonly runs: RunState[]; readonly nextBefore: string | null };

/** A run of some tenant, named across tenants (the stale-run detector's view). */
export type RunRef = { readonly tenant: string; readonly runId: string };

/**
 * The event store port. Every adapter must pass the same contract suite
 * (test/contract/event-store.contract.ts): dense server seqs under concurrency, idempotent
 * retries, conflicts, producer seqs with gaps, and the run-state fold kept current.
 */
export interface EventStore {
  /**
   * Appends events to one run, all-or-nothing per event: an event is either stored with its seq
   * and folded into the run state, or not stored at all. Outcomes come back in candidate order.
   */
  appendToRun(tenant: string, runId: string, candidates: readonly AppendCandidate[]): Promise<AppendOutcome[]>;
  /** The run's state, read-your-writes; undefined when the tenant has no such run. */
  getRun(tenant: string, runId: string): Promise<RunState | undefined>;
  /** Stored events with seq > afterSeq, in seq order, at most `limit`. */
  listEvents(tenant: string, runId: string, options: ListEventsOptions): Promise<StoredEvent[]>;
  /** The tenant's runs counted by status, kept current on every write (no scan). */
  getStats(tenant: string): Promise<RunStats>;
  /** One task's stored events with seq > afterSeq, in seq order, at most `limit` (cost follows the task, not the run). */
  listTaskEvents(tenant: string, runId: string, taskId: string, options: ListEventsOptions): Promise<StoredEvent[]>;
  /**
   * The tenant's runs, most recently updated first (to the minute; see runListKey), through an
   * index: never a scan, and the cost follows the page. Filters by status and/or thread.
   */
  listRuns(tenant: string, query: ListRunsQuery): Promise<RunsPage>;
  /**
   * Running runs of every tenant whose staleness deadline (stalenessOf) has passed by `now`, at
   * most `limit`. Candidates: an adapter may include runs due later in the same minute, so the
   * caller re-checks each against the run itself.
   */
  listStaleRuns(now: Date, limit: number): Promise<RunRef[]>;
}

/** A run summary as read, with the version a conditional write of the next one must match. */
export type LoadedRun = { readonly state: RunState; readonly version: number };

/**
 * The primitives an append (either sequencing mode) needs from a backend (the algorithm lives in
 * shared/run/append-to-run.ts and append-plan.ts; an adapter only reads and writes):
 * the summary with optimistic concurrency, guards and event items read by key, and guards and
 * events written each conditional on its own key, without a transaction.
 */
export interface RunStorage {
  /** The summary; `fresh` skips any copy the adapter remembers (after a write failed). */
  loadRun(tenant: string, runId: string, fresh: boolean): Promise<LoadedRun | undefined>;
  /** The eventId guards held for these eventIds (strongly consistent). */
  readGuards(tenant: string, runId: string, eventIds: readonly string[]): Promise<Map<string, HeldGuard>>;
  /** The event items at these seqs (strongly consistent). */
  readEvents(tenant: string, runId: string, seqs: readonly number[]): Promise<Map<number, StoredAt>>;
  /**
   * Writes the summary if it is still at `previous` (undefined: if there is none), moving the
   * tenant's stats with it when the run's status changes from `previous`'s. The new version, or
   * undefined if it moved.
   */
  writeRun(tenant: string, state: RunState, previous: LoadedRun | undefined): Promise<number | undefined>;
  /**
   * Writes guards and events, each only if its condition holds (GuardWrite.kind; events only if
   * their seq is free, unless EventWrite.ifFree is false: a producer seq the plan claimed). Returns the seqs of the events written; `complete` is false when any write
   * was refused, so the caller plans again.
   */
  writeItems(tenant: string, runId: string, guards: readonly GuardWrite[], events: readonly EventWrite[]): Promise<{ written: number[]; complete: boolean }>;
}

/**
 * What a key may do. `write` (producers) ingests and reads its tenant's runs; `read` (dashboards,
 * operators) reads and streams but never ingests. Keys stored before scopes existed are `write`.
 */
export type KeyScope = 'read' | 'write';

/** What a key grants: a tenant, a scope, and, when it expires, the instant it stops working. */
export type ApiKeyGrant = { readonly tenant: string; readonly scope: KeyScope; readonly expiresAt?: Date };

/** A stored API key as listed: never the key, only an id (the start of its hash). */
export type ApiKeyRecord = ApiKeyGrant & { readonly keyId: string; readonly createdAt: string };

/**
 * API keys, kept only as hashes. A tenant may hold any number at once (rotation: create the new
 * one, move callers over, revoke the old one).
 */
export interface ApiKeyStore {
  /** The key's grant, expired or not (the caller judges expiry by its clock); undefined when unknown or revoked. */
  findKey(keyHash: string): Promise<ApiKeyGrant | undefined>;
  saveKey(keyHash: string, grant: ApiKeyGrant): Promise<ApiKeyRecord>;
  listKeys(): Promise<ApiKeyRecord[]>;
  /** Deletes the key with this id; false when there is none. */
  revokeKey(keyId: string): Promise<boolean>;
}

/** Store-wide limits, from configuration. */
export type StoreLimits = {
  readonly maxEventsPerRun: number;
  readonly retentionDays: number;
  /** When running runs go stale; indexes are kept by it. @default DEFAULT_STALE_POLICY */
  readonly stalePolicy?: StalePolicy;
};

/** One entry for the event bus: EventBridge's PutEvents entry, in our words. */
export type BusEntry = { readonly source: string; readonly detailType: string; readonly detail: string; readonly time: Date };

/** The event bus port (EventBridge in AWS, the local bus locally). */
export interface EventPublisher {
  /** Sends at most 10 entries; returns the positions of the entries the bus reports as failed. */
  putEntries(entries: readonly BusEntry[]): Promise<number[]>;
}

/**
 * What the relay could not publish after its retries, for one run: enough to publish it again,
 * by reading those seqs back from the event store (shared/relay/failed-publish.ts).
 */
export type FailedPublish = {
  readonly tenant: string;
  readonly runId: string;
  /** The seqs not published, ascending. */
  readonly seqs: readonly number[];
  readonly types: readonly string[];
  readonly reason: string;
  readonly failedAt: string;
};

/** One kept failure as handed out for a redrive; `handle` removes it. */
export type KeptFailedPublish = { readonly handle: string; readonly failure: FailedPublish };

/**
 * Where the relay keeps what it could not publish (SQS in AWS, one file per failure locally), and
 * where a redrive takes it from. Nothing is removed until the caller says it was published again.
 */
export interface FailedPublishStore {
  /** Keeps every failure durably before it resolves; rejects if any could not be kept. */
  record(failures: readonly FailedPublish[]): Promise<void>;
  /** Up to `max` kept failures not handed out before in this pass (SQS: hidden while in hand). */
  receive(max: number): Promise<KeptFailedPublish[]>;
  remove(handle: string): Promise<void>;
  /**
   * Gives a received failure back, kept: the next pass receives it again (SQS: visible again at
   * once instead of after the visibility timeout). A redrive releases what it did not remove when
   * its pass ends, so the next scheduled pass retries it.
   */
  release(handle: string): Promise<void>;
  /** How many are kept (approximate for SQS): the "of m" of a redrive's progress. */
  count(): Promise<number>;
}
