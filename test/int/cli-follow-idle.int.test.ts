import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunledgerClient } from '#cli/api-client.ts';
import { followRun } from '#cli/follow-run.ts';

const stored = (seq: number, type: string) =>
  JSON.stringify({ eventId: `e${seq}`, runId: 'r1', type, seq, occurredAt: '2026-11-23T10:00:00Z', receivedAt: '2026-11-23T10:00:00.100Z' });

/** The first stream sends one event and then goes silent (no heartbeat); the next one finishes the run. */
const lastEventIds: (string | undefined)[] = [];
const server = createServer((request, response) => {
  const header = request.headers['last-event-id'];
  lastEventIds.push(Array.isArray(header) ? header[0] : header);
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  if (lastEventIds.length === 1) {
    response.write(`retry: 50\n\nid: 1\nevent: run.started\ndata: ${stored(1, 'run.started')}\n\n`);
    return;
  }
  response.end(`id: 2\nevent: run.completed\ndata: ${stored(2, 'run.completed')}\n\n`);
});

let url: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('following a run stream', () => {
  it('treats a stream with no data and no heartbeat for too long as dropped, and resumes after the last seq', async () => {
    const reconnects: string[] = [];
    const seqs: number[] = [];
    const events = followRun(new RunledgerClient({ url, apiKey: 'k' }), 'r1', {
      idleTimeoutMs: 300,
      onReconnect: (afterSeq, reason) => reconnects.push(`${afterSeq ?? '-'}: ${reason}`),
    });
    for await (const event of events) seqs.push(event.seq);
    expect(seqs).toEqual([1, 2]);
    expect(lastEventIds).toEqual([undefined, '1']);
    expect(reconnects).toEqual(['1: no data or heartbeat for a while']);
  });
});
