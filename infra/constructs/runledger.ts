import { RemovalPolicy } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HandlerName } from '#functions/routes.ts';
import { friendlyErrorMap } from '#shared/contract/issues.ts';
import { RunLedgerConfigSchema, type RunLedgerConfig } from '../config.ts';
import { ArchiveBucket } from './archive-bucket.ts';
import { EventStoreTable, type TableAccess } from './event-store-table.ts';
import { HandlerFunction } from './handler-function.ts';
import { Operations } from './operations.ts';
import { RunLedgerApi } from './runledger-api.ts';

/** Every prop is optional; the names are the `cdk.json` context keys. */
export type RunLedgerProps = Readonly<Partial<RunLedgerConfig>>;

/** The defaults, as pure data: `cdk.json` ships the same values. */
export const RUNLEDGER_DEFAULTS: RunLedgerConfig = {
  /** @default 'dev' */
  stage: 'dev',
  /** Days every stored item lives (DynamoDB TTL). @default 30 */
  retentionDays: 30,
  /** Events past this many in one run are rejected. @default 100000 */
  maxEventsPerRun: 100_000,
  /** A running run silent this long is timed out (stale-run detection). @default 300 */
  heartbeatTimeoutSeconds: 300,
  /** Alarm and alert emails. @default none */
  alertEmail: undefined,
  /** Secrets Manager name of the alert webhook URL. @default none */
  alertWebhookSecretName: undefined,
  /** Stage-wide requests per second. @default 100 */
  throttleRateLimit: 100,
  /** @default 200 */
  throttleBurstLimit: 200,
  /** @default 30 */
  logRetentionDays: 30,
  /** What stack deletion does to the table and the archive. @default 'retain' */
  removalPolicy: 'retain',
  /** CORS origins of the dashboard. @default none (all origins) */
  corsOrigins: [],
};

/** Props merged over the defaults and checked, with the bad prop named. */
export function resolveRunLedgerProps(props: RunLedgerProps): RunLedgerConfig {
  const parsed = RunLedgerConfigSchema.safeParse({ ...RUNLEDGER_DEFAULTS, ...withoutUndefined(props) }, { error: friendlyErrorMap });
  if (!parsed.success) {
    throw new Error(`RunLedger: ${parsed.error.issues.map((issue) => `prop '${issue.path.join('.')}': ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}

function withoutUndefined(props: RunLedgerProps): Partial<RunLedgerConfig> {
  return Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined));
}

/**
 * The whole runledger pipeline in one construct: the events table, the bus, the archive bucket,
 * the functions (each with only the access its job needs), the REST API and the operations kit.
 */
export class RunLedger extends Construct {
  public readonly config: RunLedgerConfig;
  public readonly events: EventStoreTable;
  public readonly bus: EventBus;
  public readonly archive: ArchiveBucket;
  public readonly functions: Record<HandlerName | 'authorize', HandlerFunction>;
  public readonly api: RunLedgerApi;
  public readonly operations: Operations;

  constructor(scope: Construct, id: string, props: RunLedgerProps = {}) {
    super(scope, id);
    const config = resolveRunLedgerProps(props);
    this.config = config;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = config.logRetentionDays as RetentionDays;

    this.events = new EventStoreTable(this, 'Events', { removalPolicy });
    this.bus = new EventBus(this, 'Bus', { eventBusName: `runledger-${config.stage}` });
    this.archive = new ArchiveBucket(this, 'Archive', { removalPolicy });

    const limits = { RUNLEDGER_RETENTION_DAYS: String(config.retentionDays), RUNLEDGER_MAX_EVENTS_PER_RUN: String(config.maxEventsPerRun) };
    const make = (name: HandlerName | 'authorize', access: TableAccess | undefined) => {
      const fn = new HandlerFunction(this, pascal(name), { handler: name, stage: config.stage, logRetention, environment: limits });
      if (access !== undefined) this.events.bind(fn.function, access);
      return fn;
    };
    this.functions = {
      'ingest-events': make('ingest-events', 'run-writer'),
      'get-run': make('get-run', 'run-reader'),
      health: make('health', undefined),
      authorize: make('authorize', 'key-reader'),
    };

    this.api = new RunLedgerApi(this, 'Api', {
      stage: config.stage,
      handlers: { 'ingest-events': this.functions['ingest-events'].function, 'get-run': this.functions['get-run'].function, health: this.functions.health.function },
      authorizer: this.functions.authorize.function,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      corsOrigins: config.corsOrigins,
      logRetention,
    });
    this.operations = new Operations(this, 'Operations', {
      stage: config.stage,
      api: this.api.api,
      ingest: this.functions['ingest-events'].function,
      functions: Object.fromEntries(Object.entries(this.functions).map(([name, fn]) => [name, fn.function])),
      ...(config.alertEmail === undefined ? {} : { alertEmail: config.alertEmail }),
    });
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)(\w)/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}
