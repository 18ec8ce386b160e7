import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApiClient } from '../../dashboard/src/api/client.ts';
import { followRun } from '../../dashboard/src/live/follow-run.ts';
import { EMPTY_WINDOW, mergeEvents, type EventRow } from '../../dashboard/src/view/event-window.ts';
import type { RunningLocalStack } from '#local/stack.ts';
import { startCuttingProxy } from '#test/support/cutting-proxy.ts';
import { uniqueId } from '#test/support/events.ts';
import { ACME_KEY, request, startTestStack } from '#test/support/http.ts';

let stack: RunningLocalStack;

beforeAll(async () => {
  stack = await startTestStack({ config: { RUNLEDGER_STREAM_POLL_MS: '25' } });
});

afterAll(async () => {
  await stack.stop();
});

const event = (type: string) => ({ eventId: uniqueId('e'), type, occurredAt: new Date().toISOString() });
const post = async (runId: string, types: string[]) => expect((await request(stack.url, 'POST', `/v1/runs/${runId}/events`, { body: { events: types.map(event) } })).status).toBe(202);

describe('the dashboard\'s live follow (fetch + SSE) against the local stack', () => {
  it('resumes after a dropped connection with Last-Event-ID and hands on every seq once, in order, until the run ends', async () => {
    const runId = uniqueId('run');
    await post(runId, ['run.started', 'run.heartbeat', 'run.heartbeat']);
    const proxy = await startCuttingProxy(stack.url, 2);
    const client = makeApiClient(proxy.url, { kind: 'key', value: ACME_KEY });
    const received: EventRow[] = [];
    let window = EMPTY_WINDOW;
    const ended = new Promise<void>((resolve, reject) => {
      const stop = followRun({
        url: client.streamUrl(runId),
        headers: client.headers,
        afterSeq: 0,
        parseEvent: client.parseEvent,
        retryDelaysMs: [50],
        onEvents: (events) => {
          received.push(...events);
          window = mergeEvents(window, events);
        },
        onEnd: () => {
          stop();
          resolve();
        },
        onRefused: (status) => reject(new Error(`refused ${status}`)),
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await post(runId, ['run.heartbeat', 'run.completed']);
    await ended;
    await proxy.close();
    expect(received.map((row) => row.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(window.length).toBe(5);
    // The first stream was cut after 2 events; the client came back after seq 2, then once more after the end.
    expect(proxy.streamRequests.slice(0, 2)).toEqual([undefined, '2']);
  });

  it('stops at once and says why when the key is refused', async () => {
    const runId = uniqueId('run');
    await post(runId, ['run.started']);
    const client = makeApiClient(stack.url, { kind: 'key', value: 'not-a-key-at-all' });
    const status = await new Promise<number>((resolve) => {
      followRun({ url: client.streamUrl(runId), headers: client.headers, afterSeq: 0, parseEvent: client.parseEvent, onEvents: () => undefined, onEnd: () => resolve(204), onRefused: resolve });
    });
    expect(status).toBe(401);
  });
});
