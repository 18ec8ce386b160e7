import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** How often each fault happens, per request (they exclude each other, except delay). */
export type FaultRates = {
  /** Close the connection without forwarding or answering. */
  readonly dropBeforeForward: number;
  /** Forward (the server stores the events), then close the connection without answering. */
  readonly dropAfterForward: number;
  /** Forward the same request twice, answer the second answer. */
  readonly duplicate: number;
  /** Answer 429 with Retry-After, forward nothing. */
  readonly throttle: number;
  /** Answer 503, forward nothing. */
  readonly unavailable: number;
  /** Wait up to maxDelayMs before forwarding (on top of the above). */
  readonly delay: number;
};

export type FaultCounts = Record<keyof FaultRates | 'requests' | 'forwarded' | 'clean', number>;

export type FaultProxy = { readonly url: string; readonly counts: FaultCounts; stop(): Promise<void> };

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An HTTP proxy on 127.0.0.1 in front of a local stack that misbehaves at random, the way networks
 * and gateways do: drops requests before or after the server saw them, duplicates them, delays
 * them, and answers 429 (with Retry-After) or 503. Seeded, so a run is reproducible.
 */
export async function startFaultProxy(options: { target: string; seed: number; rates: FaultRates; retryAfterSeconds: number; maxDelayMs: number }): Promise<FaultProxy> {
  const random = seededRandom(options.seed);
  const counts: FaultCounts = { requests: 0, forwarded: 0, clean: 0, dropBeforeForward: 0, dropAfterForward: 0, duplicate: 0, throttle: 0, unavailable: 0, delay: 0 };
  const { rates } = options;

  const forward = async (request: IncomingMessage, body: Buffer) => {
    counts.forwarded += 1;
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await fetch(`${options.target}${request.url ?? '/'}`, { method: request.method ?? 'GET', headers, ...(body.byteLength > 0 ? { body } : {}) });
    return { status: answer.status, retryAfter: answer.headers.get('retry-after'), text: await answer.text() };
  };
  const reply = (response: ServerResponse, status: number, text: string, retryAfter: string | null = null) => {
    response.writeHead(status, { 'content-type': 'application/json', ...(retryAfter === null ? {} : { 'retry-after': retryAfter }) });
    response.end(text);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const body = Buffer.concat(chunks);
    counts.requests += 1;
    // Every draw for this request is made now, before any await: the nth request gets the nth
    // outcome of the seeded sequence whatever the timing, so a seed replays the same faults.
    const delayMs = random() < rates.delay ? Math.floor(random() * options.maxDelayMs) : 0;
    let draw = random();
    const pick = (rate: number) => {
      const hit = draw < rate;
      draw -= rate;
      return hit;
    };
    if (delayMs > 0) {
      counts.delay += 1;
      await sleep(delayMs);
    }
    if (pick(rates.dropBeforeForward)) {
      counts.dropBeforeForward += 1;
      request.socket.destroy();
    } else if (pick(rates.throttle)) {
      counts.throttle += 1;
      reply(response, 429, JSON.stringify({ error: { code: 'throttled', message: 'slow down' } }), String(options.retryAfterSeconds));
    } else if (pick(rates.unavailable)) {
      counts.unavailable += 1;
      reply(response, 503, JSON.stringify({ error: { code: 'unavailable', message: 'try again' } }));
    } else if (pick(rates.dropAfterForward)) {
      counts.dropAfterForward += 1;
      await forward(request, body);
      request.socket.destroy();
    } else if (pick(rates.duplicate)) {
      counts.duplicate += 1;
      await forward(request, body);
      const second = await forward(request, body);
      reply(response, second.status, second.text, second.retryAfter);
    } else {
      counts.clean += 1;
      const answer = await forward(request, body);
      reply(response, answer.status, answer.text, answer.retryAfter);
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => request.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
