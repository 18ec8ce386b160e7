import middy from '@middy/core';
import { parseBusEvent, recordDeliveries } from 'runledger/observer';

/**
 * An observer of your own: the same file runs locally (runledger.config.json beside it, then
 * `npm start` from this directory) and in AWS (NodejsFunction + addObserver). It gets the
 * EventBridge event; recordDeliveries puts what it got in GET /v1/runs/{runId}/deliveries.
 */
export const handler = middy(async (input: unknown) => {
  const { detail } = parseBusEvent(input);
  if (detail.type === 'run.completed') console.log(JSON.stringify({ bill: detail.runId, usage: detail.payload?.usage ?? null }));
  return Promise.resolve();
}).use(recordDeliveries({ name: 'billing' }));
