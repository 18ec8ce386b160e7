import type { StoredEvent } from '../contract/event.ts';
import type { EventStore } from '../ports.ts';

export type EventPage = { events: StoredEvent[]; nextAfterSeq: number | null };

/** How many events one filtered page may examine, as a multiple of its size: bounds its read cost. */
const EXAMINE_FACTOR = 5;

/**
 * A page of a run's events in seq order. It reads one key range (never the whole run): the cost
 * grows with the page. With `types`, events of other types are skipped while reading; a page stops
 * after examining EXAMINE_FACTOR x limit events and hands back where to continue. `nextAfterSeq`
 * is null once the run has nothing after the page.
 */
export function makePageEvents({ store }: { store: EventStore }) {
  return async function pageEvents(request: { tenant: string; runId: string; afterSeq: number; limit: number; types?: readonly string[] }): Promise<EventPage> {
    const { tenant, runId, limit } = request;
    const wanted = typeFilter(request.types);
    const events: StoredEvent[] = [];
    let cursor = request.afterSeq;
    let examined = 0;
    for (;;) {
      // One more than needed tells whether anything follows.
      const chunk = await store.listEvents(tenant, runId, { afterSeq: cursor, limit: limit + 1 });
      for (const [index, event] of chunk.entries()) {
        if (events.length === limit) return { events, nextAfterSeq: cursor };
        examined += 1;
        cursor = event.seq;
        if (wanted(event.type)) events.push(event);
        if (examined >= limit * EXAMINE_FACTOR && index < chunk.length - 1) return { events, nextAfterSeq: cursor };
      }
      if (chunk.length <= limit) return { events, nextAfterSeq: null };
      if (examined >= limit * EXAMINE_FACTOR) return { events, nextAfterSeq: cursor };
    }
  };
}

function typeFilter(types: readonly string[] | undefined): (type: string) => boolean {
  if (types === undefined) return () => true;
  const exact = new Set(types);
  const anyCustom = exact.has('custom:*');
  return (type) => exact.has(type) || (anyCustom && type.startsWith('custom:'));
}
