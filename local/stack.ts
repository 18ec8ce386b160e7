import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { endpointOverride, LOCAL_REGION } from '#adapters/aws/endpoint.ts';
import { makeDynamoDbClient } from '#adapters/dynamodb/client.ts';
import { eventsFromStream } from '#adapters/dynamodb/stream-records.ts';
import { ensureEventsTable } from '#adapters/dynamodb/table-setup.ts';
import { generateApiKey, hashApiKey, parseApiKeyList } from '#shared/auth/api-keys.ts';
import { DEFAULT_KEY_SCOPE } from '#shared/auth/scopes.ts';
import { formatShareKeyRing, generateShareSigningKey } from '#shared/auth/share-tokens.ts';
import { DASHBOARD_DIR, DASHBOARD_PATH } from './dashboard-files.ts';
import { startDynamoDbLocal, type RunningDynamoDb } from './dynamodb-local.ts';
import { createGateway } from './gateway.ts';
import { LocalBus, type BusEvent, type LocalTarget } from './bus/local-bus.ts';
import { assertPortFree } from './port-probe.ts';
import { claimDataDir } from './stack-file.ts';
import { startPutEventsEndpoint } from './bus/put-events-endpoint.ts';
import { makeLocalHandlers, type LocalHandlers, type ObserverHandler, type RelayHandler } from './handlers.ts';
import { StreamReader } from './stream-reader.ts';
import { ArchiveWriter } from './archive-writer.ts';
import { prometheusFromEmf } from './prometheus.ts';
import { OBSERVERS } from '#functions/observers.ts';
import { errorResponse } from '#functions/http/responses.ts';
import { compose } from '#functions/runtime/compose.ts';
import { loadConfig, type FunctionEnvironment } from '#functions/runtime/config.ts';
import { apiKeyStoreOf } from '#functions/runtime/parts/stores.ts';
import { toEventPattern } from '#shared/bus/observer-filter.ts';
import { summarizePublishPatterns } from '#shared/bus/publish-summary.ts';
import { localLambdaContext } from './lambda-context.ts';
import { makeLocalRelayFailures } from './relay-failures.ts';
import { LocalDeliveryQueue } from './webhook-queue.ts';
import { WebhookJournal } from './webhook-journal.ts';
import { parseDeliveryJob } from '#functions/deliver-webhooks/deliver-webhooks.ts';
import { deliveredBatchOf, webhookJobWorkerOf } from '#functions/runtime/parts/webhooks.ts';
import { LOCAL_RETRY_SCHEDULE } from '#shared/webhooks/retry-schedule.ts';
import { deliveryLedgerOf } from '#functions/runtime/parts/webhooks.ts';
import type { DeliveredBatch } from '#shared/webhooks/delivered-batch.ts';
import type { DeliveryLedger } from '#shared/webhooks/ports.ts';
import { loadConfigObservers } from './config-observers.ts';

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
  /**
   * Function configuration (the keys Lambda's environment holds, functions/runtime/config.ts), e.g.
   * `{ RUNLEDGER_STREAM_POLL_MS: '25' }`. The stack's own keys (table, endpoints, bus, files) win.
   * @default { POWERTOOLS_LOG_LEVEL: 'WARN' }
   */
  readonly config?: FunctionEnvironment;
  /** Observers subscribed on the local bus besides the built-in ones (each a rule and its target). */
  readonly observers?: readonly LocalTarget[];
  /** Load your own observers from `runledger.config.json` in this directory (`npm start` passes its working directory). */
  readonly configDir?: string;
  /** Deliver webhook subscriptions (functions/deliver-webhooks) from the bus. @default true */
  readonly webhooks?: boolean;
  /** Subscribe metrics, alerting and archive as in AWS (functions/observers.ts). @default true */
  readonly builtInObservers?: boolean;
  /** How often the stale-run detector runs, as the schedule does in AWS; 0 turns it off. @default 60000 */
  readonly staleCheckIntervalMs?: number;
  /**
   * How often what the relay could not publish (`<dataDir>/relay-failures/`) is published again,
   * as the schedule does every 5 minutes in AWS; 0 turns it off. @default 10000
   */
  readonly relayRedriveIntervalMs?: number;
  /** Fault injection for the crash tests. */
  readonly faults?: {
    /** Exit the process (code 137) the first time the relay is about to publish, as a crash between "stored" and "published" would. */
    readonly crashBeforePublish?: boolean;
    /** While this answers true, the local bus refuses every PutEvents call (500), as in an EventBridge outage. */
    readonly refusePutEvents?: () => boolean;
  };
  readonly log?: (line: string) => void;
  /** The built dashboard served at /ui/. @default dist/dashboard (what `npm run build` writes) */
  readonly dashboardDir?: string;
};

export type RunningLocalStack = {
  readonly url: string;
  /** The dashboard: `<url>/ui/`. */
  readonly dashboardUrl: string;
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
 * definition CDK uses, API keys, and the API served by the same handlers Lambda runs, all made from
 * one composition root with clients pointed at the local endpoints. Nothing goes through
 * process.env, so several stacks can run in one process.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  const dataDir = options.dataDir ?? '.runledger';
  const tableName = options.tableName ?? 'runledger-local';
  const log = options.log ?? (() => undefined);
  mkdirSync(dataDir, { recursive: true });
  // Both before DynamoDB Local starts (seconds): a second stack on this data dir, or a taken port, fails at once.
  const claim = claimDataDir(dataDir);
  let dynamo: RunningDynamoDb | undefined;
  let busEndpoint: { endpoint: string; close(): Promise<void> } | undefined;
  let dynamoDb: DynamoDBClient | undefined;
  let eventBridge: EventBridgeClient | undefined;
  try {
    await assertPortFree(options.port ?? 3000);
    const endpoint = options.dynamoDbEndpoint ?? (dynamo = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') })).endpoint;
    const tableClient = makeDynamoDbClient({ endpoint });
    dynamoDb = tableClient;
    await ensureEventsTable(tableClient, tableName);

    // Fan-out: the table's stream -> the relay handler (as Lambda runs it) -> PutEvents on the local bus -> observers.
    // The bus routes to handlers made from the root, and the root needs the bus's endpoint: bound once both exist.
    const bound: { handlers?: LocalHandlers; ledger?: DeliveryLedger; delivered?: DeliveredBatch } = {};
    const observerHandler = (folder: string): ObserverHandler => {
      if (bound.handlers === undefined) throw new Error('the local bus delivered before the stack finished starting');
      return bound.handlers.observer(folder);
    };
    const archive = new ArchiveWriter({ dir: join(dataDir, 'archive') });
    // Journaled in the data dir, as SQS keeps what it accepted: a retry waiting or a job queued when the stack stops or dies runs after the restart.
    const webhookQueue = new LocalDeliveryQueue({ log, journal: new WebhookJournal({ file: join(dataDir, 'webhook-queue.jsonl') }) });
    const webhookTargets: LocalTarget[] =
      options.webhooks === false
        ? []
        : [{ name: 'webhooks', pattern: toEventPattern({ preset: 'all' }), required: true, invoke: (event) => observerHandler('deliver-webhooks')(event, localLambdaContext('runledger-deliver-webhooks')) }];
    // Your own observers record in the ledger, which the root (made after the bus) owns: bound on first use.
    const ledgerOfRoot = { ledger: lazyLedger(() => bound.ledger), delivered: lazyBatch(() => bound.delivered) };
    const configTargets = options.configDir === undefined ? [] : await loadConfigObservers(options.configDir, ledgerOfRoot);
    const targets = [...(options.builtInObservers === false ? [] : builtInTargets(archive, observerHandler)), ...webhookTargets, ...configTargets, ...(options.observers ?? [])];
    const bus = new LocalBus({ targets, dataDir, log });
    busEndpoint = await startPutEventsEndpoint(bus, log, options.faults?.refusePutEvents);
    eventBridge = new EventBridgeClient({ region: LOCAL_REGION, ...endpointOverride(busEndpoint.endpoint) });

    const metricsFile = join(dataDir, 'metrics.log');
    const relayFailuresDir = join(dataDir, 'relay-failures');
    const config = loadConfig({
      POWERTOOLS_LOG_LEVEL: 'WARN',
      // `npm run keys -- revoke` writes the same DynamoDB Local: the authorizer reads the key on each call, so it takes effect at once.
      RUNLEDGER_KEY_CACHE_SECONDS: '0',
      // Share links: a signing key made once and kept in the data dir (links survive restarts), and the dashboard beside the API.
      RUNLEDGER_SHARE_SIGNING_KEYS: localShareKeys(dataDir),
      RUNLEDGER_DASHBOARD_URL: DASHBOARD_PATH,
      // Webhooks to your own machine, a subscription change applied to the next event, and retries a developer sees within a minute.
      RUNLEDGER_WEBHOOK_ALLOW_LOOPBACK: 'true',
      RUNLEDGER_WEBHOOK_CACHE_SECONDS: '0',
      RUNLEDGER_WEBHOOK_RETRY_ATTEMPTS: String(LOCAL_RETRY_SCHEDULE.attempts),
      RUNLEDGER_WEBHOOK_RETRY_BASE_MS: String(LOCAL_RETRY_SCHEDULE.baseDelayMs),
      RUNLEDGER_WEBHOOK_RETRY_MAX_MS: String(LOCAL_RETRY_SCHEDULE.maxDelayMs),
      ...options.config,
      RUNLEDGER_TABLE_NAME: tableName,
      RUNLEDGER_DYNAMODB_ENDPOINT: endpoint,
      // The DynamoDB Local it started keeps its data on disk, where transactions beat PartiQL batches.
      ...(dynamo === undefined ? {} : { RUNLEDGER_ITEM_WRITES: 'transaction' }),
      ...(options.retentionDays === undefined ? {} : { RUNLEDGER_RETENTION_DAYS: String(options.retentionDays) }),
      ...(options.maxEventsPerRun === undefined ? {} : { RUNLEDGER_MAX_EVENTS_PER_RUN: String(options.maxEventsPerRun) }),
      RUNLEDGER_METRICS_FILE: metricsFile,
      RUNLEDGER_ALERTS_FILE: join(dataDir, 'alerts.jsonl'),
      RUNLEDGER_RELAY_FAILURES_DIR: relayFailuresDir,
      RUNLEDGER_EVENT_BUS_NAME: 'runledger-local',
      RUNLEDGER_EVENTBRIDGE_ENDPOINT: busEndpoint.endpoint,
      // The same summary CDK gives the relay, so both publish the same types.
      RUNLEDGER_PUBLISH_PATTERNS: JSON.stringify(summarizePublishPatterns(targets.map((target) => target.pattern))),
    });
    const root = compose(config, { dynamoDb: tableClient, eventBridge, webhookQueue });
    webhookQueue.bind(webhookJobWorkerOf(root), deliveredBatchOf(root));
    bound.ledger = deliveryLedgerOf(root);
    bound.delivered = deliveredBatchOf(root);
    // Observers' successes (built-in and your own) are written together every 2 s, as an SQS batch would be in AWS.
    const ledgerTimer = setInterval(() => {
      deliveredBatchOf(root).flush(root.clock.now()).catch((error: unknown) => log(`delivery ledger write failed: ${String(error)}`));
    }, 2000).unref();
    const handlers = makeLocalHandlers(root);
    bound.handlers = handlers;
    // Made now, so a built-in observer without local wiring fails the start, not its first event.
    for (const observer of OBSERVERS) if (options.builtInObservers !== false && observer.target.kind === 'function') handlers.observer(observer.target.handler);

    const keys = apiKeyStoreOf(root);
    const devApiKey = options.apiKeys === undefined ? devKey(dataDir) : undefined;
    const entries = options.apiKeys === undefined ? [{ tenant: 'dev', key: devApiKey ?? '' }] : parseApiKeyList(options.apiKeys);
    for (const { tenant, key } of entries) await keys.saveKey(hashApiKey(key), { tenant, scope: DEFAULT_KEY_SCOPE });

    // What an earlier run accepted and did not finish is delivered again, before the stream brings anything new.
    webhookQueue.resume((value) => parseDeliveryJob(value).job);
    bus.resume();
    // Fault injection for the crash tests: die the first time the relay is about to publish a run
    // event, as a process killed between "stored" and "published" would. Other records (the API key
    // items written just above) pass: dying on those raced the test's first request.
    const relay: RelayHandler =
      options.faults?.crashBeforePublish === true
        ? (event) => {
            if (!eventsFromStream(event.Records).some((record) => record.detail !== undefined || record.confirmed !== undefined)) return handlers.relay(event);
            log('fault injection: crashing before the relay publishes');
            process.exit(137);
          }
        : handlers.relay;
    const reader = new StreamReader({ endpoint, tableName, checkpointFile: join(dataDir, `stream-checkpoints-${tableName}.json`), handler: relay, log });
    reader.start();

    // Scheduled jobs: the stale-run detector, every minute, with the time a schedule would give it.
    const { detectStaleRuns } = handlers;
    const checkStaleRuns = (time: string, tenant?: string) => detectStaleRuns({ time, ...(tenant === undefined ? {} : { tenant }) });
    const staleInterval = options.staleCheckIntervalMs ?? 60_000;
    const staleTimer =
      staleInterval > 0
        ? setInterval(() => {
            checkStaleRuns(root.clock.now().toISOString()).catch((error: unknown) => log(`stale-run check failed: ${String(error)}`));
          }, staleInterval).unref()
        : undefined;

    // What the relay could not publish, published again on a timer, as the schedule does in AWS.
    const relayFailures = makeLocalRelayFailures({ root, dir: relayFailuresDir, scheduled: handlers.redriveRelayFailures });
    const redriveInterval = options.relayRedriveIntervalMs ?? 10_000;
    let redriving = false;
    const redriveTimer =
      redriveInterval > 0
        ? setInterval(() => {
            // A pass still running (a long outage, many failures) is not queued behind: the next tick covers it.
            if (redriving) return;
            redriving = true;
            relayFailures
              .scheduledPass(root.clock.now().toISOString())
              .catch((error: unknown) => log(`relay failures redrive failed: ${String(error)}`))
              .finally(() => {
                redriving = false;
              });
          }, redriveInterval).unref()
        : undefined;

    // Admin routes need a key (the gateway checks it) and show only that key's tenant.
    const server = createGateway({
      handlers,
      log,
      dashboard: { path: DASHBOARD_PATH, dir: options.dashboardDir ?? DASHBOARD_DIR },
      corsOrigins: config.RUNLEDGER_CORS_ORIGINS,
      localRoutes: {
        'GET /v1/metrics': (_request, tenant) => Promise.resolve({ statusCode: 200, headers: { 'content-type': 'text/plain; version=0.0.4' }, body: prometheusFromEmf(metricsFile, { tenant }) }),
        // Counts over all tenants: how busy the bus is, not what went through it.
        'GET /local/bus': () => Promise.resolve({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(bus.stats()) }),
        'GET /local/dlq': (_request, tenant) =>
          Promise.resolve({
            statusCode: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ deadLetters: bus.listDeadLetters().filter((letter) => isTenants(letter.event, tenant)), relayFailures: relayFailures.list(tenant) }),
          }),
        // `?target=` one observer's letters, `?id=` one letter, `?relay=` one relay failure (the CLI drives a redrive one by one);
        // no parameter: the tenant's letters, then its relay failures.
        'POST /local/dlq/redrive': async (request, tenant) => {
          const query = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams;
          const relayId = query.get('relay') ?? undefined;
          const lettersOnly = query.has('target') || query.has('id');
          const letters = relayId === undefined ? await bus.redrive({ target: query.get('target') ?? undefined, only: query.get('id') ?? undefined, which: (event) => isTenants(event, tenant) }) : undefined;
          const relayed = lettersOnly ? undefined : await relayFailures.redrive(tenant, relayId);
          const result = {
            delivered: (letters?.delivered ?? 0) + (relayed?.delivered ?? 0),
            failed: (letters?.failed ?? 0) + (relayed?.failed ?? 0),
            lines: [...(letters?.lines ?? []), ...(relayed?.lines ?? [])],
          };
          return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
        },
        // Runs the stale-run detector now, or as if it were `?at=<ISO time>` (try a run 10 minutes on).
        // Only the key's tenant's runs: `?at=` judges them as if later, which must not time out other tenants' runs early.
        'POST /local/stale-check': async (request, tenant) => {
          const at = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('at') ?? root.clock.now().toISOString();
          if (Number.isNaN(Date.parse(at))) return errorResponse(400, { code: 'invalid_parameter', message: 'at must be an ISO 8601 time' });
          return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(await checkStaleRuns(new Date(at).toISOString(), tenant)) };
        },
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 3000, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    const started = { busEndpoint, eventBridge };
    const url = `http://127.0.0.1:${port}`;
    claim.publish({ port, url, dynamoDbEndpoint: endpoint, tableName });
    return {
      url,
      dashboardUrl: `${url}${DASHBOARD_PATH}`,
      port,
      dataDir,
      tableName,
      dynamoDbEndpoint: endpoint,
      devApiKey,
      bus,
      settled: async () => {
        await reader.caughtUp();
        await bus.drain();
        await webhookQueue.idle();
      },
      stop: async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        clearInterval(staleTimer);
        clearInterval(redriveTimer);
        clearInterval(ledgerTimer);
        await relayFailures.idle();
        await reader.stop();
        archive.close();
        await bus.close();
        await webhookQueue.close();
        await started.busEndpoint.close();
        started.eventBridge.destroy();
        tableClient.destroy();
        await dynamo?.stop();
        claim.release();
      },
    };
  } catch (error: unknown) {
    eventBridge?.destroy();
    dynamoDb?.destroy();
    await busEndpoint?.close();
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

/** The share-link signing key: made once, kept in the data dir, as `id:secret` (RUNLEDGER_SHARE_SIGNING_KEYS overrides it). */
function localShareKeys(dataDir: string): string {
  const file = join(dataDir, 'share-signing-keys');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved !== '') return saved;
  }
  const keys = formatShareKeyRing({ current: generateShareSigningKey('local') });
  writeFileSync(file, `${keys}\n`, { mode: 0o600 });
  return keys;
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

/** The built-in subscriptions as local bus targets: the same handlers Lambda runs. */
function builtInTargets(archive: ArchiveWriter, observerHandler: (folder: string) => ObserverHandler): LocalTarget[] {
  return OBSERVERS.map((observer) => {
    const { target } = observer;
    return {
      name: observer.name,
      pattern: toEventPattern(observer.filter),
      required: observer.required,
      invoke: target.kind === 'archive' ? archive.archive : (event) => observerHandler(target.handler)(event, localLambdaContext(`runledger-${target.handler}`)),
    };
  });
}

/** The root's ledger, for targets made before the root: the bus delivers only after the stack has started. */
function lazyLedger(get: () => DeliveryLedger | undefined): DeliveryLedger {
  const ledger = () => {
    const found = get();
    if (found === undefined) throw new Error('the local bus delivered before the stack finished starting');
    return found;
  };
  return {
    recordDelivered: (entries, at) => ledger().recordDelivered(entries, at),
    recordFailure: (failure) => ledger().recordFailure(failure),
    readRun: (tenant, runId, options) => ledger().readRun(tenant, runId, options),
    listDead: (tenant, subscriber, runId) => ledger().listDead(tenant, subscriber, runId),
  };
}

function lazyBatch(get: () => DeliveredBatch | undefined): Pick<DeliveredBatch, 'add'> {
  return {
    add: (key, seq) => {
      const batch = get();
      if (batch === undefined) throw new Error('the local bus delivered before the stack finished starting');
      batch.add(key, seq);
    },
  };
}
