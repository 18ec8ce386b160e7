/**
 * `npm run bench`: ingest throughput, latency and DynamoDB write units per event through the HTTP
 * API of the local stack, side by side with raw writes of the same items to the same DynamoDB
 * Local, in one run (absolute numbers drift between machines; the ratios are what to compare).
 */
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { insertItems } from '#adapters/dynamodb/event-writes.ts';
import { eventItem, guardItem, summaryItem } from '#adapters/dynamodb/item-codec.ts';
import { foldEvents, newRunState } from '#shared/run/run-state.ts';
import type { RunEvent } from '#shared/contract/event.ts';
import { eventHash } from '#shared/run/event-hash.ts';
import { z } from 'zod';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { startDynamoDbLocal } from '#local/dynamodb-local.ts';
import { killHard, startChildStack } from '#test/support/child-stack.ts';
import { formatBundleReport, measureBundles } from './bundles.ts';
import { measureCommitBarrier } from './commit-barrier.ts';
import { measureOtlp, OTLP_BATCH } from './otlp-traces.ts';
import { measureWebhooks } from './webhooks.ts';
import { measureObserverLedger } from './observer-ledger.ts';
import { CapacityMeter } from './capacity-meter.ts';

const API_KEY = 'bench-key-0123456789';
const CLIENTS = 16;
const EVENT_BYTES = 1024;
const WORDS = 'the agent reads the ticket then plans three steps calls the search tool summarizes results and writes a reply while tracking tokens latency retries and cost for each model call in the run'.split(' ');

/** `oneRun`: every client writes into the same run (contention), labelled `server-1run`. */
type Scenario = { batch: number; mode: 'server' | 'producer'; events: number; oneRun?: boolean };
const SCENARIOS: Scenario[] = [
  { batch: 1, mode: 'server', events: 480 },
  { batch: 1, mode: 'producer', events: 480 },
  { batch: 25, mode: 'server', events: 4000 },
  { batch: 25, mode: 'producer', events: 4000 },
  { batch: 25, mode: 'server', events: 4000, oneRun: true },
];

function labelOf(scenario: Scenario): string {
  return scenario.oneRun === true ? 'server-1run' : scenario.mode;
}

let textSeed = 1;
function prose(bytes: number): string {
  let text = '';
  while (text.length < bytes) {
    textSeed = (textSeed * 1103515245 + 12345) % 2 ** 31;
    text += `${WORDS[textSeed % WORDS.length]} `;
  }
  return text.slice(0, bytes);
}

/** A 1 KiB (serialized) token event of ordinary prose. */
function makeEvent(runId: string, index: number, seq: number | undefined, client?: number): RunEvent {
  const event: RunEvent = { eventId: client === undefined ? `ev-${index}` : `ev-${client}-${index}`, runId, type: 'token', occurredAt: new Date().toISOString(), payload: { text: '', index } };
  const overhead = Buffer.byteLength(JSON.stringify({ ...event, ...(seq === undefined ? {} : { seq }), receivedAt: event.occurredAt }));
  return { ...event, ...(seq === undefined ? {} : { seq }), payload: { text: prose(EVENT_BYTES - overhead), index } };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function busStats(url: string): Promise<number> {
  return z.object({ entries: z.number() }).parse(await (await fetch(`${url}/local/bus`, { headers: { authorization: `Bearer ${API_KEY}` } })).json()).entries;
}

/** Waits until the bus has received nothing new for a second and a half; returns its entry count. */
async function quietBus(url: string): Promise<number> {
  let last = await busStats(url);
  for (let stableFor = 0; stableFor < 1500; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await busStats(url);
    stableFor = now === last ? stableFor + 250 : 0;
    last = now;
  }
  return last;
}

/** Waits until the relay has published the sample (or 30 s), and returns how many entries it sent. */
async function entriesSince(url: string, before: number, expected: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  let entries = (await busStats(url)) - before;
  while (entries < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    entries = (await busStats(url)) - before;
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  return (await busStats(url)) - before;
}

/** CLIENTS producers, one run each (or all in one run), each sending its requests one after another. */
function plan(scenario: Scenario, tag: string): RunEvent[][][] {
  const perClient = Math.ceil(scenario.events / CLIENTS / scenario.batch);
  return Array.from({ length: CLIENTS }, (_, client) => {
    const runId = scenario.oneRun === true ? `${tag}-${labelOf(scenario)}-b${scenario.batch}` : `${tag}-${scenario.mode}-b${scenario.batch}-c${client}`;
    return Array.from({ length: perClient }, (_, request) =>
      Array.from({ length: scenario.batch }, (_, i) => {
        const index = request * scenario.batch + i;
        return makeEvent(runId, index, scenario.mode === 'producer' ? index + 1 : undefined, scenario.oneRun === true ? client : undefined);
      }),
    );
  });
}

async function timed(clients: Array<Array<() => Promise<void>>>): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    clients.map(async (requests) => {
      for (const send of requests) {
        const t0 = performance.now();
        await send();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies: latencies.sort((a, b) => a - b) };
}

/**
 * Raw writes, no sequencing, no conditions: `events` writes just the event items the pipeline
 * stores; `everything` also writes every other item the pipeline writes for them (guards and
 * summaries), so the ratio against it shows the cost of the protocol alone (conditions,
 * transactions, round trips), not of the data.
 */
function rawWrites(scenario: Scenario, tag: string, what: 'events' | 'everything' | 'conditional'): Array<Array<() => Promise<void>>> {
  const receivedAt = new Date().toISOString();
  return plan(scenario, tag).map((requests, client) =>
    requests.map((batch, request) => {
      // Distinct seqs per client and request, so conditional inserts never collide.
      const stored = batch.map((event, i) => ({ ...event, seq: event.seq ?? (client * requests.length + request) * batch.length + i + 1, receivedAt }));
      const items: Array<Record<string, unknown>> = stored.map((event) => eventItem('bench', event, eventHash(event), 0));
      if (what === 'conditional') {
        // DynamoDB Local's ceiling for the writes the server path makes: event + guard, each an INSERT (refused on an existing key).
        if (scenario.mode === 'server') items.push(...stored.map((event) => guardItem('bench', event, eventHash(event), 0)));
        return async () => void (await insertItems(rawClient, RAW_TABLE, items));
      }
      if (what === 'everything') {
        const runId = batch[0]?.runId ?? '';
        const state = foldEvents(newRunState(runId, scenario.mode, receivedAt), stored, receivedAt);
        if (scenario.mode === 'server') items.push(...stored.map((event) => guardItem('bench', event, eventHash(event), 0)));
        const summaries = scenario.mode === 'server' ? 1 : 2;
        for (let i = 0; i < summaries; i++) items.push(summaryItem('bench', { ...state, runId: `${runId}-s${i}` }, 1, 0));
      }
      if (items.length === 1) return async () => void (await rawClient.send(new PutCommand({ TableName: RAW_TABLE, Item: items[0] })));
      const chunks = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) => items.slice(i * 25, i * 25 + 25));
      return async () =>
        void (await Promise.all(chunks.map((chunk) => rawClient.send(new BatchWriteCommand({ RequestItems: { [RAW_TABLE]: chunk.map((Item) => ({ PutRequest: { Item } })) } })))));
    }),
  );
}

let rawClient: DynamoDBDocumentClient;
/**
 * Raw writes go to the pipeline's own table (same stream, same index): like for like. The relay
 * then publishes them too, so each timed pass starts once the bus is quiet. (A separate table was
 * tried: DynamoDB Local wrote to it at half the speed, for reasons of its own.)
 */
const RAW_TABLE = 'bench';

/**
 * Query costs and latency: read units of one page of 100 events from a run of 10 events and from a
 * run of 10,000 (a page's cost must not grow with the run), and p50/p99 of the status read and of
 * a page of 100 events.
 */
async function measureQueries(url: string, meter: CapacityMeter, post: (runId: string, events: RunEvent[]) => Promise<void>): Promise<void> {
  meter.enabled = false;
  const small = 'query-small';
  const large = 'query-large';
  for (let start = 0; start < 10_000; start += 100) {
    await post(large, Array.from({ length: 100 }, (_, i) => makeEvent(large, start + i, start + i + 1)));
  }
  await post(small, Array.from({ length: 10 }, (_, i) => makeEvent(small, i, i + 1)));
  // A server-sequenced run too: its pages stop at the first gap but read nothing more.
  const serverRun = 'query-server';
  for (let start = 0; start < 1000; start += 100) await post(serverRun, Array.from({ length: 100 }, (_, i) => makeEvent(serverRun, start + i, undefined)));
  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    await response.arrayBuffer();
  };

  meter.enabled = true;
  const readUnits = async (path: string) => {
    meter.reset();
    await get(path);
    return meter.reset().reportedReadUnits;
  };
  const smallPage = await readUnits(`/v1/runs/${small}/events?limit=10`);
  const largeSmallPage = await readUnits(`/v1/runs/${large}/events?afterSeq=5000&limit=10`);
  const largePage = await readUnits(`/v1/runs/${large}/events?afterSeq=5000&limit=100`);
  const largeStatus = await readUnits(`/v1/runs/${large}`);
  const serverPage = await readUnits(`/v1/runs/${serverRun}/events?afterSeq=500&limit=100`);
  meter.enabled = false;

  const latency = async (paths: () => string) => {
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      await get(paths());
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return `p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`;
  };
  console.log('\nqueries (strongly consistent reads; read units as DynamoDB Local reports them):');
  console.log(`  read units for a page of 10 events (summary read included): run of 10 -> ${smallPage.toFixed(1)}, run of 10,000 -> ${largeSmallPage.toFixed(1)}; a page of 100 -> ${largePage.toFixed(1)}`);
  console.log(`  read units for the run summary of the 10,000-event run: ${largeStatus.toFixed(1)}`);
  console.log(`  read units for a page of 100 events of a server-sequenced run of 1,000: ${serverPage.toFixed(1)} (producer-sequenced above: ${largePage.toFixed(1)})`);
  console.log(`  GET /v1/runs/{runId}:                  ${await latency(() => `/v1/runs/${large}`)}`);
  console.log(`  GET /v1/runs/{runId}/events?limit=100: ${await latency(() => `/v1/runs/${large}/events?afterSeq=${Math.floor(Math.random() * 9900)}&limit=100`)}`);

  // Runs by status: 300 runs in mixed statuses (a third still running), then pages of 20.
  for (let i = 0; i < 300; i++) {
    const runId = `list-${i}`;
    const events = [makeEvent(runId, 0, 1)];
    if (i % 3 !== 0) events.push({ eventId: 'end', runId, type: i % 3 === 1 ? 'run.completed' : 'run.cancelled', occurredAt: new Date().toISOString(), seq: 2 });
    await post(runId, events);
  }
  meter.enabled = true;
  const runsPage = await readUnits('/v1/runs?status=running&limit=20');
  const allPage = await readUnits('/v1/runs?limit=20');
  meter.enabled = false;
  console.log(`  read units for a page of 20 runs: by status ${runsPage.toFixed(1)}, any status (six index partitions merged) ${allPage.toFixed(1)}`);
  console.log(`  GET /v1/runs?status=running&limit=20:  ${await latency(() => '/v1/runs?status=running&limit=20')}`);
  console.log(`  GET /v1/runs?limit=20:                 ${await latency(() => '/v1/runs?limit=20')}`);
}

/** OTLP spans through POST /v1/traces beside the native server-sequenced events of the same run (issue 17). */
async function printOtlp(url: string, output: () => string, meter: CapacityMeter, rows: string[][]): Promise<void> {
  const otlp = await measureOtlp({ url, output, apiKey: API_KEY, meter, clients: 2, exportsPerClient: 3, quietBus: () => quietBus(url), entriesSince: (before, expected) => entriesSince(url, before, expected) });
  const native = rows.find((row) => row[0] === '25' && row[1] === 'server');
  console.log(`\nOTLP traces through POST /v1/traces (protobuf, batches of ${OTLP_BATCH} GenAI spans, 2 exporters at once), beside native events:`);
  console.log(`  OTLP:   ${otlp.spansPerSecond.toFixed(0)} spans/s (${(otlp.spansPerSecond * otlp.eventsPerSpan).toFixed(0)} events/s), p50 ${otlp.p50Ms.toFixed(0)} ms an export; ${otlp.writeUnitsPerSpan.toFixed(2)} WCU/span (${otlp.eventsPerSpan} events each, ${(otlp.writeUnitsPerSpan / otlp.eventsPerSpan).toFixed(2)} WCU/event), ${otlp.busEntriesPerSpan.toFixed(2)} EB entries/span`);
  if (native !== undefined) console.log(`  native: ${native[3] ?? '?'} events/s server-sequenced at batch 25, ${native[6] ?? '?'} WCU/event, ${native[10] ?? '?'} EB entries/event`);
  console.log(`  estimated AWS cost per million spans: $${otlp.costPerMillionSpans.toFixed(2)} (DynamoDB, API Gateway REST and Lambda requests at ${OTLP_BATCH} spans an export, EventBridge; Lambda duration not included)`);
}

async function main(): Promise<void> {
  console.log('API function bundles (esbuild as CDK runs it; AWS SDK left to the runtime) and module init time (median of 5 fresh imports):');
  for (const bundle of await measureBundles()) console.log(formatBundleReport(bundle));

  console.log('\nstarting DynamoDB Local (in memory) and the local stack...');
  const dynamo = await startDynamoDbLocal();
  const { meter, endpoint } = await CapacityMeter.start(dynamo.endpoint);
  // The stack runs as `npm start` does, in a process of its own: the load generator and the metering
  // proxy here must not share its event loop.
  const stack = await startChildStack({ RUNLEDGER_DYNAMODB_ENDPOINT: endpoint, RUNLEDGER_TABLE_NAME: 'bench', RUNLEDGER_API_KEYS: `bench:${API_KEY}` });
  rawClient = DynamoDBDocumentClient.from(makeDynamoDbClient({ endpoint }));
  const post = async (runId: string, events: RunEvent[]) => {
    const response = await fetch(`${stack.url}/v1/runs/${runId}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(events.length === 1 ? events[0] : { events }),
    });
    if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  };

  // Warm up: handler imports, JIT, connections.
  for (const requests of plan({ batch: 5, mode: 'server', events: 160 }, 'warmup')) {
    for (const events of requests) await post(events[0]?.runId ?? '', events);
  }

  const rows: string[][] = [];
  for (const scenario of SCENARIOS) {
    // Pass 1, metered: write and read units of a smaller sample, counted by the proxy.
    meter.enabled = true;
    // Earlier writes (the previous scenario's raw items included) must be relayed before counting starts.
    const busBefore = await quietBus(stack.url);
    // Runs long enough that per-run writes (the stats counter moved when a run starts) are amortized as in real runs.
    const sample = { ...scenario, events: Math.min(scenario.events, 4000) };
    const sampled = plan(sample, 'metered');
    const sampledEvents = sampled.flat(2).length;
    meter.reset();
    await timed(sampled.map((requests) => requests.map((batch) => () => post(batch[0]?.runId ?? '', batch))));
    const capacity = meter.reset();
    const busEntries = await entriesSince(stack.url, busBefore, sampled.flat(2).length);
    await timed(rawWrites(sample, 'metered-raw', 'events'));
    const rawCapacity = meter.reset();

    // Pass 2, timed: the proxy only pipes bytes, for the pipeline and the raw writes alike; each
    // starts once the relay has caught up with what came before.
    meter.enabled = false;
    await quietBus(stack.url);
    const clients = plan(scenario, 'timed');
    const events = clients.flat(2).length;
    const pipeline = await timed(clients.map((requests) => requests.map((batch) => () => post(batch[0]?.runId ?? '', batch))));
    await quietBus(stack.url);
    const rawRun = await timed(rawWrites(scenario, 'timed-raw', 'events'));
    const rawAllRun = await timed(rawWrites(scenario, 'timed-raw-all', 'everything'));
    const rawConditionalRun = await timed(rawWrites(scenario, 'timed-raw-cond', 'conditional'));

    const rate = events / pipeline.seconds;
    const rawRate = events / rawRun.seconds;
    const rawAllRate = events / rawAllRun.seconds;
    const rawConditionalRate = events / rawConditionalRun.seconds;
    rows.push([
      String(scenario.batch),
      labelOf(scenario),
      String(events),
      rate.toFixed(0),
      percentile(pipeline.latencies, 50).toFixed(1),
      percentile(pipeline.latencies, 99).toFixed(1),
      (capacity.computedWriteUnits / sampledEvents).toFixed(2),
      (capacity.indexWriteUnits / sampledEvents).toFixed(3),
      (capacity.reportedWriteUnits / sampledEvents).toFixed(2),
      (capacity.reportedReadUnits / sampledEvents).toFixed(2),
      (busEntries / sampledEvents).toFixed(2),
      (Object.values(capacity.calls).reduce((sum, calls) => sum + calls, 0) / (sampledEvents / scenario.batch)).toFixed(1),
      rawRate.toFixed(0),
      (rawCapacity.computedWriteUnits / sampledEvents).toFixed(2),
      (rate / rawRate).toFixed(2),
      rawAllRate.toFixed(0),
      (rate / rawAllRate).toFixed(2),
      rawConditionalRate.toFixed(0),
      (rate / rawConditionalRate).toFixed(2),
    ]);
  }

  const header = ['batch', 'sequencing', 'events', 'events/s', 'p50 ms', 'p99 ms', 'WCU/event', 'of it index', 'WCU/ev local', 'RCU/event', 'EB entries/ev', 'calls/req', 'raw events/s', 'raw WCU/ev', 'ingest/raw', 'raw all/s', 'ingest/raw all', 'raw cond/s', 'ingest/raw cond'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ');
  console.log(`\ningest through the HTTP API vs raw writes of the same items (1 KiB events, ${CLIENTS} clients, one run each; server-1run: all ${CLIENTS} in one run)`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`
WCU/event: write units computed from every item written, by DynamoDB's billing rules (1 unit per started KB
  per item, x2 inside a transaction), secondary index writes included ('of it index': the run indexes move
  when a run starts, ends, or its updated-at minute changes; DynamoDB Local reports none). WCU/ev local: what DynamoDB Local reported (ReturnConsumedCapacity); it
  under-reports transactions (one item's units per call), so the computed column is the one to trust.
RCU/event: read units DynamoDB Local reported. calls/req: DynamoDB calls per HTTP request.
EB entries/ev: PutEvents entries the relay sent per stored event (token events go out because the built-in
  archive observer subscribes to every type; with no subscriber for a type its entries are 0).
raw: the same event items (deflated bodies) written with PutItem (batch 1) / BatchWriteItem (batch 25), no
  sequencing, same client count. raw all: those plus every other item the pipeline writes for them (eventId
  guards, run summaries), unconditionally, in parallel BatchWriteItem calls: the ratio to it is the protocol's cost.
raw cond: the event items (and, server mode, their eventId guards) as PartiQL INSERTs in BatchExecuteStatement
  calls of 25, 4 in flight per client: DynamoDB Local's own ceiling for the conditional writes the server path
  needs (a plain BatchWriteItem cannot refuse an existing key).
targets at batch 25: producer <= 1.1, server <= 2.2 WCU/event; ingest/raw >= 0.5.`);

  const priced = rows.filter((row) => row[0] === '25' && row[1] !== 'server-1run');
  console.log('\nestimated AWS cost per million events at batch 25 (on-demand list prices, counts measured above):');
  for (const row of priced) {
    const wcu = Number(row[6]);
    const rcu = Number(row[9]);
    const requests = 1_000_000 / 25;
    const dynamoCost = (wcu * 1_000_000 * 0.625) / 1e6 + (rcu * 1_000_000 * 0.125) / 1e6;
    const apiCost = (requests * 3.5) / 1e6;
    const lambdaCost = (requests * 0.2) / 1e6;
    const eventBridgeCost = Number(row[10]) * 1.0;
    console.log(
      `  ${row[1]?.padEnd(9)} DynamoDB $${dynamoCost.toFixed(2)} + API Gateway REST $${apiCost.toFixed(2)} + Lambda requests $${lambdaCost.toFixed(2)} + EventBridge $${eventBridgeCost.toFixed(2)} = $${(dynamoCost + apiCost + lambdaCost + eventBridgeCost).toFixed(2)} (Lambda duration, observers and the archive not included)`,
    );
  }

  await printOtlp(stack.url, stack.output, meter, rows);

  await measureQueries(stack.url, meter, post);
  await measureWebhooks({
    url: stack.url,
    apiKey: API_KEY,
    meter,
    quiet: () => quietBus(stack.url),
    ingest: async (tag) => {
      const clients = plan({ batch: 25, mode: 'producer', events: 2000 }, tag);
      await timed(clients.map((requests) => requests.map((batch) => () => post(batch[0]?.runId ?? '', batch))));
      return clients.flat(2).length;
    },
  });

  await killHard(stack.process);
  // With the stack gone, nothing but the observers and the ledger writer passes the meter.
  await measureObserverLedger({ endpoint, meter });
  await meter.stop();
  await dynamo.stop();

  // After the in-memory JVM is gone: one DynamoDB Local at a time on a small machine.
  console.log('\nstarting DynamoDB Local on disk for the commit barrier...');
  const passes = 3;
  const barrier = await measureCommitBarrier({ clients: CLIENTS, eventsPerPass: 2000, passes, makeEvent: (runId, index) => makeEvent(runId, index, undefined) });
  const median = (rates: number[]) => [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)] ?? 0;
  const [direct, behind] = [median(barrier.direct), median(barrier.barrier)];
  const passList = (rates: number[]) => rates.map((rate) => rate.toFixed(0)).join(', ');
  console.log(`on-disk DynamoDB Local, server-sequenced batches of 25 through the event store (${CLIENTS} clients, one run each, ${barrier.eventsPerPass} events a pass, ${passes} passes each, alternating):`);
  console.log(`  direct:              ${direct.toFixed(0)} events/s (median; passes ${passList(barrier.direct)})`);
  console.log(`  commit barrier:      ${behind.toFixed(0)} events/s (median; passes ${passList(barrier.barrier)})`);
  console.log(`  barrier/direct:      ${(behind / direct).toFixed(2)} (the barrier adds one ListTables per TransactWriteItems; it is on by default for on-disk data)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
