import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '#local/stack.ts';
import { launchChromium } from '#test/support/browser.ts';
import { uniqueId } from '#test/support/events.ts';
import { ACME_KEY, request, startTestStack } from '#test/support/http.ts';

/** A blank page on its own loopback origin: the "other site" whose script calls the API. */
async function servePage(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>other origin</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let allowed: { origin: string; server: Server };
let stranger: { origin: string; server: Server };
let stack: RunningLocalStack;
let browser: Browser;

beforeAll(async () => {
  allowed = await servePage();
  stranger = await servePage();
  stack = await startTestStack({ config: { RUNLEDGER_CORS_ORIGINS: allowed.origin, RUNLEDGER_STREAM_POLL_MS: '25' } });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  allowed?.server.close();
  stranger?.server.close();
});

type Read = { status: number; body: string } | { failed: string };

/** `fetch` from inside the page, as the page's own script would call the API (the browser applies CORS). */
async function fetchFrom(page: Page, url: string, headers: Record<string, string>, readUntil?: string): Promise<Read> {
  return page.evaluate(
    async ([target, sent, until]) => {
      try {
        const response = await fetch(target, { headers: sent });
        if (until === '' || response.body === null) return { status: response.status, body: await response.text() };
        // A stream: read until the marker, then hang up.
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let body = '';
        while (!body.includes(until)) {
          const { done, value } = await reader.read();
          if (done) break;
          body += value;
        }
        await reader.cancel();
        return { status: response.status, body };
      } catch (error) {
        return { failed: String(error) };
      }
    },
    [url, headers, readUntil ?? ''] as const,
  );
}

describe('CORS in a real browser (Chromium) against the local stack', () => {
  it('lets a page on an allowed origin read answers, an error answer and the SSE stream resumed with Last-Event-ID', async () => {
    const runId = uniqueId('cors');
    const events = ['run.started', 'run.heartbeat', 'run.heartbeat', 'run.heartbeat'].map((type) => ({ eventId: uniqueId('e'), type, occurredAt: new Date().toISOString() }));
    expect((await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events } })).status).toBe(202);
    const page = await browser.newPage();
    await page.goto(allowed.origin);
    const auth = { authorization: `Bearer ${ACME_KEY}` };

    const summary = await fetchFrom(page, `${stack.url}/v1/runs/${runId}`, auth);
    expect(summary).toMatchObject({ status: 200 });
    expect('body' in summary && JSON.parse(summary.body)).toMatchObject({ runId, lastSeq: 4 });

    const missing = await fetchFrom(page, `${stack.url}/v1/runs/${uniqueId('none')}`, auth);
    expect(missing).toMatchObject({ status: 404 });
    expect('body' in missing && JSON.parse(missing.body)).toMatchObject({ error: { code: 'not_found' } });
    const refused = await fetchFrom(page, `${stack.url}/v1/stats`, { authorization: 'Bearer wrong-key-0123456789' });
    expect(refused).toMatchObject({ status: 401 });

    const stream = await fetchFrom(page, `${stack.url}/v1/runs/${runId}/stream`, { ...auth, 'last-event-id': '2' }, 'id: 4');
    expect(stream).toMatchObject({ status: 200 });
    const ids = 'body' in stream ? [...stream.body.matchAll(/^id: (\d+)$/gm)].map((match) => match[1]) : [];
    expect(ids).toEqual(['3', '4']);
    await page.close();
  });

  it('keeps the answers from a page on an origin that is not listed', async () => {
    const page = await browser.newPage();
    await page.goto(stranger.origin);
    const read = await fetchFrom(page, `${stack.url}/v1/stats`, { authorization: `Bearer ${ACME_KEY}` });
    expect(read).toMatchObject({ failed: expect.stringContaining('Failed to fetch') });
    const health = await fetchFrom(page, `${stack.url}/v1/health`, {});
    expect(health).toMatchObject({ failed: expect.stringContaining('Failed to fetch') });
    await page.close();
  });
});
