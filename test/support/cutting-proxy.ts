import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CuttingProxy = {
  readonly url: string;
  /** The Last-Event-ID header of each stream request, in order (undefined when absent). */
  readonly streamRequests: (string | undefined)[];
  close(): Promise<void>;
};

/**
 * An HTTP proxy that passes everything through, except that it cuts the first Server-Sent Events
 * stream right after its `cutAfter`-th event, as a dropped connection would, so a test can check
 * what a client does when a stream dies mid-run.
 */
export async function startCuttingProxy(target: string, cutAfter: number): Promise<CuttingProxy> {
  const streamRequests: (string | undefined)[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const isStream = /\/stream(\?|$)/.test(incoming.url ?? '');
    const lastEventId = incoming.headers['last-event-id'];
    if (isStream) streamRequests.push(Array.isArray(lastEventId) ? lastEventId[0] : lastEventId);
    const cut = isStream && streamRequests.length === 1;
    const upstream = httpRequest(`${target}${incoming.url ?? '/'}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      if (!cut) {
        answer.pipe(outgoing);
        return;
      }
      let pending = '';
      let events = 0;
      answer.setEncoding('utf8');
      answer.on('data', (text: string) => {
        pending += text;
        // Forward whole SSE blocks only, counting those that carry an id (events, not heartbeats).
        for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
          const block = pending.slice(0, end + 2);
          pending = pending.slice(end + 2);
          if (/^id:/m.test(block)) events += 1;
          if (events === cutAfter) {
            // Stop reading upstream now, and drop the connection once the last block is flushed.
            answer.destroy();
            outgoing.write(block, () => outgoing.destroy());
            return;
          }
          outgoing.write(block);
        }
      });
      answer.on('end', () => outgoing.end(pending));
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    streamRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
