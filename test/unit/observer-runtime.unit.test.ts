import type { Context, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { invokeObserver, ObserverFailedError } from '#functions/dispatch-observer/invoke-observer.ts';
import { consumeBusQueue } from '#functions/observer-runtime/sqs-batch.ts';

const context = { functionName: 'observer', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const busEvent = (id: string) => ({ version: '0', id, source: 'runledger', 'detail-type': 'run.failed', detail: { runId: 'r', seq: 1 } });
const queued = (...ids: string[]): SQSEvent =>
  ({ Records: ids.map((id) => ({ messageId: `m-${id}`, body: JSON.stringify(busEvent(id)), eventSource: 'aws:sqs', attributes: {}, messageAttributes: {} })) }) as unknown as SQSEvent;

describe('consumeBusQueue', () => {
  it('hands each queued message to the handler as the EventBridge event it carries', async () => {
    const seen: unknown[] = [];
    const result = await consumeBusQueue((event) => Promise.resolve(void seen.push(event)))(queued('a', 'b'), context);
    expect(seen).toEqual([busEvent('a'), busEvent('b')]);
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('reports only the messages whose handler threw, so only those come back', async () => {
    const handler = consumeBusQueue((event) => (JSON.stringify(event).includes('"id":"b"') ? Promise.reject(new Error('boom')) : Promise.resolve()));
    expect(await handler(queued('a', 'b', 'c'), context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-b' }] });
  });

  it('fails the whole batch when every message failed (the queue redelivers all of it)', async () => {
    const handler = consumeBusQueue(() => Promise.reject(new Error('down')));
    await expect(handler(queued('a', 'b'), context)).rejects.toThrow(/All records failed/);
  });
});

describe('invokeObserver (the dispatcher for observers of your own)', () => {
  it('sends the event unchanged as the payload', async () => {
    let sent = '';
    await invokeObserver((payload) => {
      sent = new TextDecoder().decode(payload);
      return Promise.resolve({ StatusCode: 200 });
    }, busEvent('a'));
    expect(JSON.parse(sent)).toEqual(busEvent('a'));
  });

  it('fails when the function threw, though Lambda answered 200', async () => {
    const answer = { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{"errorMessage":"nope"}') };
    await expect(invokeObserver(() => Promise.resolve(answer), busEvent('a'))).rejects.toThrow(ObserverFailedError);
    await expect(invokeObserver(() => Promise.resolve(answer), busEvent('a'))).rejects.toThrow(/Unhandled.*nope/);
  });
});
