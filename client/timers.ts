/**
 * Lets a process exit while the timer is pending, where timers can do that (Node, Bun, Deno return
 * an object with `unref`); browsers return a number and have no process to keep alive.
 */
export function unrefTimer(timer: unknown): void {
  if (hasUnref(timer)) timer.unref();
}

function hasUnref(timer: unknown): timer is { unref(): unknown } {
  return typeof timer === 'object' && timer !== null && 'unref' in timer && typeof timer.unref === 'function';
}
