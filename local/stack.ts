import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '#adapters/dynamodb/dynamodb-api-key-store.ts';
import { eventsFromStream } from '#adapters/dynamodb/stream-records.ts';
import { ensureEventsTable } from '#adapters/dynamodb/table-setup.ts';
import { generateApiKey, hashApiKey, parseApiKeyList } from '#shared/auth/api-keys.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal, type RunningDynamoDb } from './dynamodb-local.ts';
import { createGateway } from './gateway.ts';
import { LocalBus, type BusEvent, type LocalTarget } from './bus/local-bus.ts';
import { assertPortFree } from './port-probe.ts';
import { claimDataDir } from './stack-file.ts';
import { startPutEventsEndpoint } from './bus/put-events-endpoint.ts';
import { loadRelay, loadStaleRunDetector } from './handlers.ts';
import { StreamReader } from './stream-reader.ts';
import { ArchiveWriter } from './archive-writer.ts';
import { prometheusFromEmf } from './prometheus.ts';
import { loadObserverHandler } from './handlers.ts';
import { OBSERVERS } from '#functions/observers.ts';
import { errorResponse } from '#functions/http/responses.ts';
import { toEventPattern } from '#shared/bus/observer-filter.ts';
import { localLambdaContext } from './lambda-context.ts';

export type LocalStackOptions = {
  /** 127.0.0.1 port for the API; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** Where DynamoDB Local keeps its data and the dev key lives. @default '.runledger' */
  readonly dataDir?: string;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  readonly dynamoDbEndpoint?: string;
  /** `tenant:key,tenant:key`; when absent a development key is created (and kept in dataDir). */
  readonly apiKeys?: string;
  /** @default 'runledger-local' */
  readonly tableName?: string;
  readonly retentionDays?: number;
  readonly maxEventsPerRun?: number;
  /** Observers subscribed on the local bus besides the built-in ones (each a rule and its target). */
  readonly observers?: readonly LocalTarget[];
  /** Subscribe metrics, alerting and archive as in AWS (functions/observers.ts). @default true */
  readonly builtInObservers?: boolean;
  /** How often the stale-run detector runs, as the schedule does in AWS; 0 turns it off. @default 60000 */
  readonly staleCheckIntervalMs?: number;
  readonly log?: (line: string) => void;
};

export type RunningLocalStack = {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly tableName: string;
  readonly dynamoDbEndpoint: string;
  /** The development key when one was created; undefined when keys came from the options. */
  readonly devApiKey: string | undefined;
  readonly bus: LocalBus;
  /** Resolves once the relay has read the table's stream to its end and the bus has delivered it. */
  settled(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * The whole pipeline on one machine: DynamoDB Local (or a given endpoint), the table from the same
 * definition CDK uses, API keys, and the API served by the same handlers Lambda runs.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  const dataDir = options.dataDir ?? '.runledger';
  const tableName = options.tableName ?? 'runledger-local';
  const log = options.log ?? (() => undefined);
  mkdirSync(dataDir, { recursive: true });
  // Both before DynamoDB Local starts (seconds): a second stack on this data dir, or a taken port, fails at once.
  const claim = claimDataDir(dataDir);
  let dynamo: RunningDynamoDb | undefined;
  try {
    await assertPortFree(options.port ?? 3000);
    const endpoint = options.dynamoDbEndpoint ?? (dynamo = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') })).endpoint;
    // The handlers read their configuration from the environment, exactly as in Lambda.
    process.env.RUNLEDGER_DYNAMODB_ENDPOINT = endpoint;
    process.env.RUNLEDGER_TABLE_NAME = tableName;
    if (options.retentionDays !== undefined) process.env.RUNLEDGER_RETENTION_DAYS = String(options.retentionDays);
    if (options.maxEventsPerRun !== undefined) process.env.RUNLEDGER_MAX_EVENTS_PER_RUN = String(options.maxEventsPerRun);
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

    const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    await ensureEventsTable(client, tableName);
    const keys = new DynamoDbApiKeyStore({ client: DynamoDBDocumentClient.from(client), tableName });
    const devApiKey = options.apiKeys === undefined ? devKey(dataDir) : undefined;
    const entries = options.apiKeys === undefined ? [{ tenant: 'dev', key: devApiKey ?? '' }] : parseApiKeyList(options.apiKeys);
    for (const { tenant, key } of entries) await keys.saveKey(hashApiKey(key), tenant);
    client.destroy();

    // Fan-out: the table's stream -> the relay handler (as Lambda runs it) -> PutEvents on the local bus -> observers.
    process.env.RUNLEDGER_METRICS_FILE = join(dataDir, 'metrics.log');
    process.env.RUNLEDGER_ALERTS_FILE = join(dataDir, 'alerts.jsonl');
    const archive = new ArchiveWriter({ dir: join(dataDir, 'archive') });
    const targets = [...(options.builtInObservers === false ? [] : builtInTargets(archive)), ...(options.observers ?? [])];
    const bus = new LocalBus({ targets, dataDir, log });
    const busEndpoint = await startPutEventsEndpoint(bus);
    process.env.RUNLEDGER_EVENT_BUS_NAME = 'runledger-local';
    process.env.RUNLEDGER_EVENTBRIDGE_ENDPOINT = busEndpoint.endpoint;
    process.env.RUNLEDGER_PUBLISH_PATTERNS = JSON.stringify(targets.map((target) => target.pattern));
    const { handler: relayHandler } = await loadRelay();
    // Fault injection for the crash tests: die the first time the relay is about to publish a run
    // event, as a process killed between "stored" and "published" would. Other records (the API key
    // items written just above) pass: dying on those raced the test's first request.
    const relay: typeof relayHandler =
      process.env.RUNLEDGER_FAULT_CRASH_BEFORE_PUBLISH === '1'
        ? (event) => {
            if (!eventsFromStream(event.Records).some((record) => record.detail !== undefined)) return relayHandler(event);
            log('fault injection: crashing before the relay publishes');
            process.exit(137);
          }
        : relayHandler;
    const reader = new StreamReader({ endpoint, tableName, checkpointFile: join(dataDir, `stream-checkpoints-${tableName}.json`), handler: relay, log });
    reader.start();

    // Scheduled jobs: the stale-run detector, every minute, with the time a schedule would give it.
    const { handler: detectStaleRuns } = await loadStaleRunDetector();
    const checkStaleRuns = (time: string) => detectStaleRuns({ time });
    const staleInterval = options.staleCheckIntervalMs ?? 60_000;
    const staleTimer =
      staleInterval > 0
        ? setInterval(() => {
            checkStaleRuns(new Date().toISOString()).catch((error: unknown) => log(`stale-run check failed: ${String(error)}`));
          }, staleInterval).unref()
        : undefined;

    const metricsFile = join(dataDir, 'metrics.log');
    // Admin routes need a key (the gateway checks it) and show only that key's tenant.
    const server = createGateway({
      log,
      localRoutes: {
        'GET /v1/metrics': (_request, tenant) => Promise.resolve({ statusCode: 200, headers: { 'content-type': 'text/plain; version=0.0.4' }, body: prometheusFromEmf(metricsFile, { tenant }) }),
        // Counts over all tenants: how busy the bus is, not what went through it.
        'GET /local/bus': () => Promise.resolve({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(bus.stats()) }),
        'GET /local/dlq': (_request, tenant) =>
          Promise.resolve({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deadLetters: bus.listDeadLetters().filter((letter) => isTenants(letter.event, tenant)) }) }),
        'POST /local/dlq/redrive': async (_request, tenant) => ({
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(await bus.redrive(undefined, (event) => isTenants(event, tenant))),
        }),
        // Runs the stale-run detector now, or as if it were `?at=<ISO time>` (try a run 10 minutes on).
        // It is the scheduled job, so it runs over every tenant's runs; the answer is counts only.
        'POST /local/stale-check': async (request) => {
          const at = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('at') ?? new Date().toISOString();
          if (Number.isNaN(Date.parse(at))) return errorResponse(400, { code: 'invalid_parameter', message: 'at must be an ISO 8601 time' });
          return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(await checkStaleRuns(new Date(at).toISOString())) };
        },
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 3000, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    claim.publish({ port, url, dynamoDbEndpoint: endpoint, tableName });
    return {
      url,
      port,
      dataDir,
      tableName,
      dynamoDbEndpoint: endpoint,
      devApiKey,
      bus,
      settled: async () => {
        await reader.caughtUp();
        await bus.drain();
        archive.flush();
      },
      stop: async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        clearInterval(staleTimer);
        await reader.stop();
        await bus.drain();
        archive.close();
        await busEndpoint.close();
        await dynamo?.stop();
        claim.release();
      },
    };
  } catch (error: unknown) {
    await dynamo?.stop();
    claim.release();
    throw error;
  }
}

/** Whether a bus event (its detail is the stored event plus the tenant) belongs to this tenant. */
function isTenants(event: BusEvent, tenant: string): boolean {
  const { detail } = event;
  return typeof detail === 'object' && detail !== null && 'tenant' in detail && detail.tenant === tenant;
}

/** The development key: made once, kept in the data dir so it survives restarts. */
function devKey(dataDir: string): string {
  const file = join(dataDir, 'dev-api-key');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved !== '') return saved;
  }
  const key = generateApiKey('rl_dev');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** The built-in subscriptions as local bus targets: the same handler modules Lambda runs. */
function builtInTargets(archive: ArchiveWriter): LocalTarget[] {
  return OBSERVERS.map((observer) => {
    const { target } = observer;
    return {
      name: observer.name,
      pattern: toEventPattern(observer.filter),
      required: observer.required,
      invoke:
        target.kind === 'archive'
          ? archive.archive
          : async (event) => {
              const handler = await loadObserverHandler(target.handler);
              await handler(event, localLambdaContext(`runledger-${target.handler}`));
            },
    };
  });
}
