import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ACME_KEY } from './http.ts';

export type StreamRead = {
  status: number;
  contentType: string | null;
  /** The JSON body when the server answered without opening a stream. */
  body: unknown;
  messages: EventSourceMessage[];
  comments: string[];
  /** True when the server closed the stream; false when `until` made us hang up. */
  endedByServer: boolean;
};

/**
 * Reads `GET /v1/runs/{runId}/stream` with fetch (as any HTTP client would, not EventSource, so
 * reconnects are explicit), until the server closes it or `until` says to hang up.
 */
export async function readStream(
  baseUrl: string,
  runId: string,
  options: { key?: string; lastEventId?: string; query?: string; until?: (read: StreamRead) => boolean; timeoutMs?: number } = {},
): Promise<StreamRead> {
  const hangUp = new AbortController();
  const timer = setTimeout(() => hangUp.abort(new Error('the stream neither ended nor reached the expected point in time')), options.timeoutMs ?? 20_000);
  const headers: Record<string, string> = { authorization: `Bearer ${options.key ?? ACME_KEY}`, accept: 'text/event-stream' };
  if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
  try {
    const response = await fetch(`${baseUrl}/v1/runs/${runId}/stream${options.query ?? ''}`, { headers, signal: hangUp.signal });
    const read: StreamRead = { status: response.status, contentType: response.headers.get('content-type'), body: undefined, messages: [], comments: [], endedByServer: false };
    if (!read.contentType?.startsWith('text/event-stream')) {
      const text = await response.text();
      read.body = text === '' ? undefined : JSON.parse(text);
      return read;
    }
    // Like a client that handles events one by one: once `until` holds, whatever else arrived in
    // the same chunk is never handled.
    let hangingUp = false;
    const parser = createParser({
      onEvent: (message) => {
        if (hangingUp) return;
        read.messages.push(message);
        hangingUp = options.until?.(read) === true;
      },
      onComment: (comment) => read.comments.push(comment),
    });
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
    if (reader === undefined) throw new Error('no body');
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        read.endedByServer = true;
        return read;
      }
      parser.feed(value);
      if (hangingUp || options.until?.(read) === true) {
        await reader.cancel();
        return read;
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** The seqs of the events read, from their `id:` lines. */
export function seqsOf(read: StreamRead): number[] {
  return read.messages.map((message) => Number(message.id));
}
