import type { StoredEvent } from '../contract/event.ts';

/**
 * Server-Sent Events frames (WHATWG HTML, "Server-sent events"). The id is the event's seq, so a
 * reconnecting EventSource sends it back as Last-Event-ID and resumes exactly after it.
 */
export function eventFrame(event: StoredEvent): string {
  // JSON.stringify never emits a raw newline, so the data fits on one `data:` line.
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A comment line: clients ignore it, proxies and load balancers see traffic and keep the connection. */
export const HEARTBEAT_FRAME = ': heartbeat\n\n';

/** Tells EventSource how long to wait before reconnecting after the stream closes. */
export function retryFrame(milliseconds: number): string {
  return `retry: ${milliseconds}\n\n`;
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  // Asks nginx-style proxies not to buffer the stream.
  'x-accel-buffering': 'no',
} as const;
