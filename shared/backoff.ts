/** Full-jitter exponential backoff: spreads colliding writers apart instead of retrying in lockstep. */
export function retryDelayMs(attempt: number, baseMs = 5, capMs = 100): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
