import type { CapacityMeter } from './capacity-meter.ts';
import { startReceiver } from '#test/support/webhook-receiver.ts';

/**
 * Webhook delivery, measured on the local stack with real receivers on loopback: write units the
 * delivery ledger costs per delivered event per subscriber (the same ingest metered with and
 * without two subscriptions: the difference is the webhooks' writes), deliveries per second, and
 * the AWS cost of a million deliveries from those counts.
 */
export async function measureWebhooks(options: {
  url: string;
  apiKey: string;
  meter: CapacityMeter;
  ingest: (tag: string) => Promise<number>;
  quiet: () => Promise<unknown>;
}): Promise<void> {
  const { url, apiKey, meter } = options;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
  const settle = async (receivers: Array<{ received: unknown[] }>, expected: number) => {
    const until = Date.now() + 120_000;
    while (receivers.reduce((sum, receiver) => sum + receiver.received.length, 0) < expected) {
      if (Date.now() > until) throw new Error('webhook deliveries did not arrive within 2 minutes');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The ledger's successes are written a few times a second: let the last write land.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  };

  meter.enabled = true;
  await options.quiet();
  meter.reset();
  const baselineEvents = await options.ingest('webhooks-baseline');
  await options.quiet();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const baseline = meter.reset();

  const receivers = [await startReceiver(), await startReceiver()];
  const subscriptions: string[] = [];
  for (const receiver of receivers) {
    const created = (await call('POST', '/v1/subscriptions', { url: receiver.url, filter: { preset: 'all' } })) as { subscription: { id: string } };
    subscriptions.push(created.subscription.id);
  }
  meter.reset();
  const startedAt = performance.now();
  const events = await options.ingest('webhooks-two');
  await options.quiet();
  await settle(receivers, events * receivers.length);
  const seconds = (performance.now() - startedAt) / 1000;
  const withHooks = meter.reset();
  for (const id of subscriptions) await call('DELETE', `/v1/subscriptions/${id}`);
  for (const receiver of receivers) await receiver.close();

  const deliveries = events * receivers.length;
  const ledgerWcu = (withHooks.computedWriteUnits - (baseline.computedWriteUnits * events) / baselineEvents) / deliveries;
  const readsPerDelivery = (withHooks.reportedReadUnits - (baseline.reportedReadUnits * events) / baselineEvents) / deliveries;
  console.log(`\nwebhooks: ${events} events (batch 25, producer-sequenced) to 2 subscriptions on loopback receivers, ${deliveries} signed deliveries`);
  console.log(`  ledger + subscription writes per delivered event per subscriber: ${ledgerWcu.toFixed(3)} WCU (target <= 0.1)`);
  console.log(`  reads per delivery (subscription lists and reads): ${readsPerDelivery.toFixed(2)} RCU`);
  console.log(`  ${(deliveries / seconds).toFixed(0)} deliveries/s end to end (ingest included), local stack`);

  // AWS, per million deliveries, on-demand list prices. Counts from the design (SQS batches of 10,
  // fan-out once per event), the DynamoDB units measured above; Lambda duration assumed, not measured.
  const perMillion = 1_000_000;
  const sqsRequestsPerDelivery = 0.1 /* send batch */ + 0.1 /* receive */ + 0.1; /* delete batch */
  const sqs = sqsRequestsPerDelivery * perMillion * (0.4 / 1e6);
  const lambdaRequests = 0.1 * perMillion * (0.2 / 1e6);
  const assumedBatchSeconds = 0.3;
  const lambdaDuration = 0.1 * perMillion * assumedBatchSeconds * 0.25 * 0.0000133334;
  const dynamo = ledgerWcu * perMillion * (0.625 / 1e6) + readsPerDelivery * perMillion * (0.125 / 1e6);
  const total = sqs + lambdaRequests + lambdaDuration + dynamo;
  console.log(
    `  estimated AWS cost per million webhook deliveries: SQS $${sqs.toFixed(2)} + Lambda requests $${lambdaRequests.toFixed(2)} + Lambda duration $${lambdaDuration.toFixed(2)} (assumed ${assumedBatchSeconds * 1000} ms per batch of 10 at 256 MB arm64) + DynamoDB $${dynamo.toFixed(2)} = $${total.toFixed(2)}`,
  );
  console.log('  (the fan-out, once per event whatever the subscriptions: one SQS message and 0.1 Lambda invocation, about $0.03 per million events, plus data transfer out)');
}
