/**
 * When to try a failed delivery again: exponential backoff with full jitter (each wait drawn
 * between half and all of the step, so receivers that failed together do not all come back at
 * once), capped per step, over a fixed number of attempts; then the delivery is dead. A
 * receiver's `Retry-After` is honoured when it asks for longer than the schedule would wait (up
 * to the cap).
 */
export type RetrySchedule = {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
};

/**
 * AWS: 16 attempts, 30 s doubling to a 4 h cap: 21 to 28 hours from the first attempt to the last (jitter).
 * Local: 6 attempts, 1 s doubling to a 20 s cap: a failing receiver sees every retry within a
 * minute (RUNLEDGER_WEBHOOK_RETRY_* override either).
 */
export const AWS_RETRY_SCHEDULE: RetrySchedule = { attempts: 16, baseDelayMs: 30_000, maxDelayMs: 4 * 3_600_000 };
export const LOCAL_RETRY_SCHEDULE: RetrySchedule = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 20_000 };

/** The wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed; undefined once the schedule is spent. */
export function nextRetryDelayMs(schedule: RetrySchedule, attempt: number, options: { random?: () => number; retryAfterMs?: number | undefined } = {}): number | undefined {
  if (attempt >= schedule.attempts) return undefined;
  const step = Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(step / 2 + (options.random ?? Math.random)() * (step / 2));
  const asked = options.retryAfterMs === undefined ? 0 : Math.min(schedule.maxDelayMs, options.retryAfterMs);
  return Math.max(jittered, asked);
}

/** The longest a schedule can run from the first attempt to the last (the docs quote it). */
export function scheduleSpanMs(schedule: RetrySchedule): number {
  let total = 0;
  for (let attempt = 1; attempt < schedule.attempts; attempt++) total += Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** (attempt - 1));
  return total;
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
