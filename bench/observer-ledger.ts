import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { DynamoDbDeliveryLedger } from '#adapters/dynamodb/dynamodb-delivery-ledger.ts';
import { ensureEventsTable } from '#adapters/dynamodb/table-setup.ts';
import { recordDeliveries } from '#functions/observer-runtime/record-deliveries.ts';
import { compose } from '#functions/runtime/compose.ts';
import { loadConfig } from '#functions/runtime/config.ts';
import { makeWriteLedgerHandler } from '#functions/write-ledger/write-ledger.ts';
import { LEDGER_BATCHING } from '#infra/constructs/ledger-queue.ts';
import { encodeDeliveredMessage } from '#shared/webhooks/delivered-message.ts';
import type { DeliveredEntry, DeliveredQueue } from '#shared/webhooks/ports.ts';
import { toSubscriberDeliveries } from '#shared/webhooks/ledger-view.ts';
import type { CapacityMeter } from './capacity-meter.ts';

const SUBSCRIBERS = ['obs-metrics', 'obs-billing'];
/** Observer invocations in flight at once (Lambda runs many copies of an observer side by side). */
const IN_FLIGHT = 8;
const context = { functionName: 'observer', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

/**
 * An in-process stand-in for the ledger queue and the Lambda poller in front of the writer: each
 * send is one message (the body SendMessage would carry); a batch goes to the writer's handler when
 * it holds LEDGER_BATCHING.batchSize messages or its batching window has passed, as the SQS event
 * source does, one batch at a time (the poller runs several: that only splits batches further).
 */
class StandInLedgerQueue implements DeliveredQueue {
  readonly #write: (event: SQSEvent) => Promise<SQSBatchResponse>;
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #failedBatches = 0;
  messages = 0;
  batches = 0;

  constructor(write: (event: SQSEvent) => Promise<SQSBatchResponse>) {
    this.#write = write;
  }

  send(entries: readonly DeliveredEntry[]): Promise<void> {
    this.#pending.push(encodeDeliveredMessage(entries));
    this.messages++;
    if (this.#pending.length >= LEDGER_BATCHING.batchSize) this.#handOver();
    else this.#timer ??= setTimeout(() => this.#handOver(), LEDGER_BATCHING.maxBatchingWindow.toMilliseconds());
    return Promise.resolve();
  }

  /** Everything sent so far, written. */
  async drain(): Promise<void> {
    this.#handOver();
    // A batch that failed hands its messages over again while it is awaited.
    for (let written = this.#writing; ; written = this.#writing) {
      await written;
      if (written === this.#writing) return;
    }
  }

  #handOver(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    const bodies = this.#pending;
    this.#pending = [];
    this.batches++;
    const event = { Records: bodies.map((body, index) => ({ messageId: `m-${this.batches}-${index}`, body, attributes: { ApproximateReceiveCount: '1' } })) } as unknown as SQSEvent;
    this.#writing = this.#writing.then(async () => {
      const answer = await this.#write(event);
      if (answer.batchItemFailures.length === 0) return;
      // As SQS would: the failed messages come back (the writes they cost are counted), up to the queue's five receives.
      if (++this.#failedBatches > 5) throw new Error(`the ledger writer kept failing: ${answer.batchItemFailures.length} messages of batch ${this.batches}`);
      const failed = new Set(answer.batchItemFailures.map((failure) => failure.itemIdentifier));
      this.#pending.push(...event.Records.filter((record) => failed.has(record.messageId)).map((record) => record.body));
      this.#handOver();
    });
  }
}

const busEvent = (runId: string, seq: number) => ({
  version: '0',
  id: `${runId}-${seq}`,
  source: 'runledger',
  'detail-type': 'run.progress',
  time: new Date().toISOString(),
  detail: { tenant: 'bench', runId, eventId: `e${seq}`, seq, type: 'run.progress', occurredAt: new Date().toISOString(), receivedAt: new Date().toISOString(), payload: { progress: 0.5 } },
});

/** Every (run, seq) of `runs` runs of `perRun` events, interleaved across runs as concurrent runs are. */
function eventsOf(tag: string, runs: number, perRun: number) {
  const events: Array<ReturnType<typeof busEvent>> = [];
  for (let seq = 1; seq <= perRun; seq++) for (let run = 0; run < runs; run++) events.push(busEvent(`${tag}-${run}`, seq));
  return events;
}

/** Each event, once per subscriber, as Lambda invokes an observer wrapped with recordDeliveries: one invocation per event. */
async function invokeObservers(events: unknown[], observers: Array<(event: unknown, context: Context) => Promise<unknown>>): Promise<void> {
  const calls = events.flatMap((event) => observers.map((observe) => () => observe(event, context)));
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < calls.length) await calls[next++]?.();
    }),
  );
}

type Row = { label: string; runs: number; perRun: number; deliveries: number; writeUnits: number; reportedUnits: number; writes: number; messages?: number; batches?: number; seconds: number };

/**
 * Lambda observers' ledger cost (issue 14 item 3): N events over a few runs, each event one
 * invocation of an observer per subscriber, recorded (a) through the ledger queue and its writer,
 * (b) directly, one ledger write per invocation; write units counted by the metering proxy in
 * front of DynamoDB Local. Then the AWS cost per million observer deliveries of each.
 */
export async function measureObserverLedger(options: { endpoint: string; meter: CapacityMeter }): Promise<void> {
  const { meter } = options;
  const tableName = 'bench-observer-ledger';
  const client = makeDynamoDbClient({ endpoint: options.endpoint });
  await ensureEventsTable(client, tableName);
  const ledger = new DynamoDbDeliveryLedger({ client: DynamoDBDocumentClient.from(client), tableName, retentionDays: 30 });
  const root = compose(loadConfig({ RUNLEDGER_TABLE_NAME: tableName, POWERTOOLS_LOG_LEVEL: 'ERROR' }), { dynamoDb: client });
  const writer = makeWriteLedgerHandler(root);

  const check = async (tag: string, runs: number, perRun: number) => {
    for (let run = 0; run < runs; run++) {
      const answer = toSubscriberDeliveries(await ledger.readRun('bench', `${tag}-${run}`, { limit: 100 }));
      const counts = answer.map((subscriber) => subscriber.deliveredCount);
      if (answer.length !== SUBSCRIBERS.length || counts.some((count) => count !== perRun)) throw new Error(`run ${tag}-${run}: the ledger shows ${JSON.stringify(counts)} delivered, not ${perRun} per subscriber`);
    }
  };
  const measure = async (label: string, tag: string, runs: number, perRun: number, viaQueue: boolean): Promise<Row> => {
    const queue = viaQueue ? new StandInLedgerQueue(writer) : undefined;
    const observers = SUBSCRIBERS.map((name) => middy(() => Promise.resolve()).use(recordDeliveries({ name, ledger, ...(queue === undefined ? {} : { queue }) })));
    meter.enabled = true;
    meter.reset();
    const startedAt = performance.now();
    await invokeObservers(eventsOf(tag, runs, perRun), observers);
    await queue?.drain();
    const seconds = (performance.now() - startedAt) / 1000;
    const totals = meter.reset();
    meter.enabled = false;
    await check(tag, runs, perRun);
    return {
      label,
      runs,
      perRun,
      deliveries: runs * perRun * SUBSCRIBERS.length,
      writeUnits: totals.computedWriteUnits,
      reportedUnits: totals.reportedWriteUnits,
      writes: totals.calls.UpdateItem ?? 0,
      ...(queue === undefined ? {} : { messages: queue.messages, batches: queue.batches }),
      seconds,
    };
  };

  const rows = [
    await measure('queue', 'obs-queue', 3, 200, true),
    await measure('direct', 'obs-direct', 3, 200, false),
    // Many runs at once, few events each: a batch of a thousand messages holds few deliveries of each (run, subscriber).
    await measure('queue, sparse', 'obs-sparse', 150, 10, true),
  ];
  console.log(`\nLambda observers in the ledger: each event one invocation of each of ${SUBSCRIBERS.length} observers wrapped with recordDeliveries (${IN_FLIGHT} in flight), DynamoDB Local metered`);
  console.log(`  the queue path: one message per invocation, handed to the ledger writer in batches of up to ${LEDGER_BATCHING.batchSize} or every ${LEDGER_BATCHING.maxBatchingWindow.toSeconds()} s (the SQS event source's settings)`);
  const header = ['path', 'runs x events', 'deliveries', 'messages', 'writer batches', 'UpdateItems', 'WCU/delivery', 'WCU/dl local', 'deliveries/s'];
  const cells = rows.map((row) => [
    row.label,
    `${row.runs} x ${row.perRun}`,
    String(row.deliveries),
    row.messages === undefined ? '-' : String(row.messages),
    row.batches === undefined ? '-' : String(row.batches),
    String(row.writes),
    (row.writeUnits / row.deliveries).toFixed(3),
    (row.reportedUnits / row.deliveries).toFixed(3),
    (row.deliveries / row.seconds).toFixed(0),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column]?.length ?? 0)));
  const line = (values: string[]) => `  ${values.map((value, column) => value.padStart(widths[column] ?? 0)).join('  ')}`;
  console.log(line(header));
  for (const row of cells) console.log(line(row));
  console.log('  WCU/delivery: write units per delivered event per subscriber (target <= 0.1). The queue path writes once per (run, subscriber, 128-seq block)');
  console.log('  per writer batch: it meets the target while a batch holds 10 or more deliveries of each (run, subscriber) it names; the sparse row shows what');
  console.log('  many slow runs at once cost (there the direct path would be 1.0 as well). Every run\'s ledger was read back: all seqs delivered, per subscriber.');

  // AWS, per million observer deliveries, on-demand list prices; DynamoDB units as measured above.
  const [queued, direct] = rows;
  if (queued === undefined || direct === undefined) return;
  const perMillion = 1_000_000;
  const wcuPrice = 0.625 / 1e6;
  // A SendMessage per invocation; the poller receives up to 10 messages a call and deletes them 10 a call.
  const sqs = (1 + 0.1 + 0.1) * perMillion * (0.4 / 1e6);
  const writerBatches = perMillion / LEDGER_BATCHING.batchSize;
  const writerRequests = writerBatches * (0.2 / 1e6);
  const assumedBatchSeconds = 1;
  const writerDuration = writerBatches * assumedBatchSeconds * 0.25 * 0.0000133334;
  const queuedDynamo = (queued.writeUnits / queued.deliveries) * perMillion * wcuPrice;
  const directDynamo = (direct.writeUnits / direct.deliveries) * perMillion * wcuPrice;
  console.log('  estimated AWS cost per million observer deliveries (the observers\' own invocations not included: the same on both paths):');
  console.log(
    `    ledger queue: SQS $${sqs.toFixed(2)} (send, receive, delete) + writer Lambda requests $${writerRequests.toFixed(4)} + duration $${writerDuration.toFixed(4)} (assumed ${assumedBatchSeconds} s per batch of ${LEDGER_BATCHING.batchSize} at 256 MB arm64) + DynamoDB $${queuedDynamo.toFixed(3)} = $${(sqs + writerRequests + writerDuration + queuedDynamo).toFixed(2)}`,
  );
  console.log(`    direct write per invocation: DynamoDB $${directDynamo.toFixed(3)}`);
  console.log('    (SQS requests cost about what the write units they replace did: the queue is for the write-unit budget and the ledger partition, 1,000 WCU/s per run, more than for money;');
  console.log('     its poller also long-polls an idle queue, about $0.30 a month)');
}
