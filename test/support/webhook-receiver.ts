import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedWebhook = { headers: Record<string, string>; body: string; at: number };

/** What the receiver answers: a status, a status with headers (e.g. `Retry-After`), or 'hang' to never answer. */
export type ReceiverAnswer = number | 'hang' | { status: number; headers: Record<string, string> };

/** An answer chosen per request (e.g. fail one event's first attempts); undefined falls back to `answer`. */
export type AnswerFor = (delivery: ReceivedWebhook) => ReceiverAnswer | undefined;

/**
 * A real HTTP receiver on loopback: records every request, answers as `answerFor` says for that
 * request, else as `answer` says. Tests switch `answer` to make it fail, recover or stall. `port`
 * listens where an earlier receiver did (one that is back up).
 */
export async function startReceiver(
  initial: ReceiverAnswer = 200,
  options: { port?: number; answerFor?: AnswerFor } = {},
): Promise<{ url: string; received: ReceivedWebhook[]; answer: ReceiverAnswer; close(): Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  const hanging: ServerResponse[] = [];
  const state: { answer: ReceiverAnswer } = { answer: initial };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
      const delivery = { headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(delivery);
      const answer = options.answerFor?.(delivery) ?? state.answer;
      if (answer === 'hang') {
        hanging.push(response);
        return;
      }
      const { status, headers: answerHeaders } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      response.writeHead(status, { 'content-type': 'text/plain', ...answerHeaders }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get answer() {
      return state.answer;
    },
    set answer(value) {
      state.answer = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls until `check` holds or `ms` pass (then fails with what it last saw). */
export async function eventually<T>(read: () => T | Promise<T>, check: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > until) throw new Error(`not reached within ${ms} ms; last: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
