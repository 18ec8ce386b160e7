import type { AlertKind } from './alerting.ts';

/** Who claimed what: one alert of one kind for one run, sent to one sink. */
export type AlertClaimKey = { readonly tenant: string; readonly runId: string; readonly kind: AlertKind; readonly sink: string };

/**
 * What a claim found. `claimed`: the key was free, or held by a pending lease that expired (its
 * holder crashed between claim and send), and is now this caller's until `leaseUntil`; `token`
 * names this lease, so a late release by the crashed holder cannot free it. `sent`: the sink
 * accepted the alert earlier. `held`: another delivery holds a live lease and may be sending now.
 */
export type ClaimResult =
  | { readonly status: 'claimed'; readonly token: string }
  | { readonly status: 'sent' }
  | { readonly status: 'held'; readonly leaseUntil: Date };

/**
 * Alert claims as leases: one record per (tenant, run, kind, sink), `pending` until `leaseUntil`
 * while a delivery sends, then `sent`. The protocol (claim, send, mark or release) lives in
 * makeAlertingObserver; adapters implement these primitives, each atomically, and pass the
 * contract suite in test/contract/alert-claims.contract.ts. A record without a state (written
 * before claims were leases) counts as `sent`.
 */
export interface AlertClaims {
  /** Takes the key if it is free or its pending lease ended before `now`; the new lease lasts until `leaseUntil`. */
  claim(key: AlertClaimKey, now: Date, leaseUntil: Date): Promise<ClaimResult>;
  /** Records that the sink accepted the alert: every later claim answers `sent`. */
  markSent(key: AlertClaimKey, now: Date): Promise<void>;
  /** Gives back a pending claim after its send failed, only if it is still this lease (`token`); a sent record stays. */
  release(key: AlertClaimKey, token: string): Promise<void>;
}

/**
 * How long a claim is held before another delivery may take it over. It must outlast one
 * delivery (the alerting function's timeout, 10 s), or a slow send could be taken over and sent
 * twice; it should end before the retry of a delivery that found it held (the delivery queue's
 * visibility timeout, 60 s), or that retry finds it held again and waits one more round.
 */
export const DEFAULT_ALERT_LEASE_SECONDS = 30;
