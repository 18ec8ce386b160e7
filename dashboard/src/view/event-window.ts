/** The fields of a stored event the dashboard reads (the API sends the whole stored event). */
export type EventRow = {
  readonly seq: number;
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly receivedAt?: string;
  readonly payload?: Readonly<Record<string, unknown>>;
};

/**
 * The events of one run as the dashboard holds them: a sparse map by seq (pages load where the
 * user scrolls, the live stream adds at the end), and the highest seq the run is known to have.
 * Rows are seqs 1..length in order: a seq is a row's identity, so no event can show twice or out
 * of order, whichever way (page, stream, reconnect replay) it came.
 */
export type EventWindow = {
  readonly bySeq: ReadonlyMap<number, EventRow>;
  /** Rows to show: the run's lastSeq as last read, or the highest seq seen since. */
  readonly length: number;
};

export const EMPTY_WINDOW: EventWindow = { bySeq: new Map(), length: 0 };

/**
 * Adds events (a page, or what the stream brought) and the run's known lastSeq. A seq already
 * held keeps its first event: seqs are immutable once stored, and a repeat (a resumed stream, an
 * overlapping page) is the same event. Returns the same window when nothing changed, so React
 * skips the render.
 */
export function mergeEvents(window: EventWindow, incoming: readonly EventRow[], knownLastSeq = 0): EventWindow {
  const fresh = incoming.filter((event) => Number.isSafeInteger(event.seq) && event.seq >= 1 && !window.bySeq.has(event.seq));
  const length = Math.max(window.length, knownLastSeq, ...fresh.map((event) => event.seq));
  if (fresh.length === 0 && length === window.length) return window;
  const bySeq = new Map(window.bySeq);
  for (const event of fresh) if (!bySeq.has(event.seq)) bySeq.set(event.seq, event);
  return { bySeq, length };
}

/** The highest seq up to which every seq is held: where a live stream resumes from. */
export function contiguousSeq(window: EventWindow, from = 0): number {
  let seq = from;
  while (window.bySeq.has(seq + 1)) seq += 1;
  return seq;
}

/**
 * The page to read for rows first..last (seqs, inclusive) that are on screen: `afterSeq` of the
 * first seq not held, or undefined when all are held or that page is already being read.
 * `missing` are seqs the run reports it has not received (producer-sequenced gaps): never asked for.
 */
export function pageToLoad(window: EventWindow, first: number, last: number, inFlight: ReadonlySet<number>, missing: ReadonlySet<number> = new Set()): number | undefined {
  for (let seq = Math.max(1, first); seq <= Math.min(last, window.length); seq += 1) {
    if (window.bySeq.has(seq) || missing.has(seq)) continue;
    const afterSeq = seq - 1;
    return inFlight.has(afterSeq) ? undefined : afterSeq;
  }
  return undefined;
}
