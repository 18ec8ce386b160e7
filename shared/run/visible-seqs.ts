import type { StoredEvent } from '../contract/event.ts';

/**
 * What readers of a server-sequenced run may see: always a dense prefix, so a reader that resumes
 * after seq N never misses a lower seq that lands later. Event items can land out of order inside
 * one write (parallel batches) or above a crashed writer's hole; a stored event never moves, so
 * showing the gap-free run of events is safe even before its writer confirmed it.
 */

/** Events of a run page (seq order, seq > afterSeq) up to the first gap. */
export function densePrefix(events: readonly StoredEvent[], afterSeq: number): StoredEvent[] {
  const visible: StoredEvent[] = [];
  let expected = afterSeq + 1;
  for (const event of events) {
    if (event.seq !== expected) break;
    visible.push(event);
    expected += 1;
  }
  return visible;
}

/** Events of a task page (sparse seqs): only those the run has confirmed. */
export function withinConfirmed(events: readonly StoredEvent[], confirmedUpTo: number): StoredEvent[] {
  return events.filter((event) => event.seq <= confirmedUpTo);
}
