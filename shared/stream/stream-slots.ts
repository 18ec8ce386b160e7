/** A slot held by one open stream. */
export interface StreamSlot {
  release(): Promise<void>;
}

/**
 * Slots for open streams: at most `cap` held at once, across every process serving streams (every
 * stream-run execution in AWS). A slot is a lease that ends on release or, should its holder die
 * without releasing, at `expiresAt`.
 */
export interface StreamSlots {
  /** A slot until `expiresAt`, or undefined when `cap` are held already. */
  acquire(request: { leaseId: string; cap: number; now: Date; expiresAt: Date }): Promise<StreamSlot | undefined>;
}

/** Every stream slot is taken: the client should come back after `retryAfterSeconds`. */
export class StreamCapReachedError extends Error {
  override readonly name = 'StreamCapReachedError';
  readonly retryAfterSeconds: number;
  constructor(cap: number, retryAfterSeconds: number) {
    super(`${cap} streams are open, the most this deployment serves at once; reconnect after ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
