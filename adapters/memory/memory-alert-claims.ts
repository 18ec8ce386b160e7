import type { AlertClaimKey, AlertClaims, ClaimResult } from '#shared/observers/alert-claims.ts';

/** One claim as kept: a live or lapsed lease, or the record that the sink was sent the alert. */
export type MemoryClaim = { readonly state: 'pending'; readonly leaseUntil: Date; readonly token: string } | { readonly state: 'sent' };

/**
 * Alert claims in memory, for unit tests. Each call reads and writes with no await in between, so
 * it is atomic in one process; it passes the same contract suite as DynamoDbAlertClaims.
 */
export class MemoryAlertClaims implements AlertClaims {
  /** By claim id (tenant/run/kind/sink), for tests to look at. */
  readonly claims = new Map<string, MemoryClaim>();
  #leases = 0;

  claim(key: AlertClaimKey, now: Date, leaseUntil: Date): Promise<ClaimResult> {
    const current = this.claims.get(claimId(key));
    if (current?.state === 'sent') return Promise.resolve({ status: 'sent' });
    if (current !== undefined && current.leaseUntil >= now) return Promise.resolve({ status: 'held', leaseUntil: current.leaseUntil });
    const token = `lease-${++this.#leases}`;
    this.claims.set(claimId(key), { state: 'pending', leaseUntil, token });
    return Promise.resolve({ status: 'claimed', token });
  }

  markSent(key: AlertClaimKey): Promise<void> {
    this.claims.set(claimId(key), { state: 'sent' });
    return Promise.resolve();
  }

  release(key: AlertClaimKey, token: string): Promise<void> {
    const current = this.claims.get(claimId(key));
    if (current?.state === 'pending' && current.token === token) this.claims.delete(claimId(key));
    return Promise.resolve();
  }
}

/** The id a claim is kept under. */
export function claimId(key: AlertClaimKey): string {
  return `${key.tenant}/${key.runId}/${key.kind}/${key.sink}`;
}
