/** How long to wait before retry number `attempt` (0 for the first retry). */
export type BackoffPolicy = {
  /** The first retry waits up to this long. */
  readonly baseDelayMs: number;
  /** No wait computed by backoff is longer (a server's Retry-After may be). */
  readonly maxDelayMs: number;
};

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(max, base * 2^attempt)). Spreads
 * retries of many clients instead of having them collide again at the same instants.
 * `random` returns [0, 1) like Math.random.
 */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/**
 * A `Retry-After` header in milliseconds from `nowMs`: delay-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`); a date in the past is 0. Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (text === undefined || text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form starts with a day name; Date.parse alone would read '-1' as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The wait before the next attempt: the server's Retry-After when it gave one, at least the backoff. */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, policy: BackoffPolicy, random: () => number): number {
  return Math.max(retryAfterMs ?? 0, fullJitterDelay(attempt, policy, random));
}
