import type { StoredEventView } from '../answers.ts';
import { eventDetail } from './event-summary.ts';
import { formatTable, type Column } from './table.ts';

const EVENT_COLUMNS: readonly Column<StoredEventView>[] = [
  { heading: 'SEQ', cell: (event) => String(event.seq), align: 'right' },
  { heading: 'OCCURRED', cell: (event) => event.occurredAt },
  { heading: 'TYPE', cell: (event) => event.type },
  { heading: 'DETAIL', cell: eventDetail },
];

/** Events as a table, heading included (`events`). */
export function formatEventTable(events: readonly StoredEventView[]): string[] {
  return formatTable(EVENT_COLUMNS, events);
}

/** One event as one line with no heading (`tail`, where events arrive one by one). */
export function formatEventLine(event: StoredEventView): string {
  const detail = eventDetail(event);
  return `${String(event.seq).padStart(5)}  ${event.occurredAt}  ${event.type.padEnd(16)}${detail === '' ? '' : `  ${detail}`}`.trimEnd();
}
