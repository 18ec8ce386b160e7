/**
 * Lets a process exit while the timer is pending, where timers can do that (Node, Bun, Deno return
 * an object with `unref`); browsers return a number and have no process to keep alive.
 */
export function unrefTimer(timer: unknown): void {
  if (typeof timer !== 'object' || timer === null || !('unref' in timer) || typeof timer.unref !== 'function') return;
  timer.unref();
}
