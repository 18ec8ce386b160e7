import type { Clock } from '#shared/ports.ts';

/** A clock that stands still until a test moves it. */
export function fakeClock(start = '2026-11-23T10:00:00Z'): Clock & { advanceSeconds(seconds: number): void } {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advanceSeconds: (seconds) => void (current += seconds * 1000),
  };
}
