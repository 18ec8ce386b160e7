import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { formatTime, payloadSummary } from '../view/format.ts';
import type { EventWindow } from '../view/event-window.ts';
import { JsonView } from './json-view.tsx';

const ROW_HEIGHT = 40;

/**
 * The run's events in seq order, virtualized: only the rows on screen exist in the page, and
 * the rows on screen ask for the page of events they need (`onShowing`). A row is a seq, so a
 * seq shows once and in order; a seq not read yet shows as loading, a missing one as missing.
 */
export function EventsList({ events, missing, onShowing, follow }: { readonly events: EventWindow; readonly missing: ReadonlySet<number>; readonly onShowing: (first: number, last: number) => void; readonly follow: boolean }) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: events.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index;
  const last = items.at(-1)?.index;
  useEffect(() => {
    if (first !== undefined && last !== undefined) onShowing(first + 1, last + 1);
  }, [first, last, events, onShowing]);
  useEffect(() => {
    if (follow && events.length > 0) virtualizer.scrollToIndex(events.length - 1, { align: 'end' });
  }, [follow, events.length, virtualizer]);

  return (
    <div ref={scroller} className="events" tabIndex={0} role="region" aria-label={`Events, ${events.length} in seq order`}>
      <ol style={{ height: `${virtualizer.getTotalSize()}px` }} className="events-inner">
        {items.map((item) => {
          const seq = item.index + 1;
          const event = events.bySeq.get(seq);
          return (
            <li key={seq} data-index={item.index} data-seq={seq} ref={virtualizer.measureElement} className="event-row" style={{ transform: `translateY(${item.start}px)` }}>
              <span className="event-seq">{seq}</span>
              {event === undefined ? (
                <span className="muted">{missing.has(seq) ? 'not received yet (missing seq)' : 'loading…'}</span>
              ) : (
                <>
                  <span className="event-type">{event.type}</span>
                  <time className="event-time" dateTime={event.occurredAt}>
                    {formatTime(event.occurredAt)}
                  </time>
                  <span className="event-payload">{event.payload === undefined ? null : <JsonView value={event.payload} summary={payloadSummary(event.type, event.payload)} />}</span>
                </>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
