import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.ts';

// This checkout, or node_modules/runledger in a project that installed the package: either way the
// handlers' TypeScript sources are there (the package ships functions/, shared/ and adapters/).
const PROJECT_ROOT = packageRoot(import.meta.url);
// npm never packs package-lock.json. NodejsFunction wants a lock file only to find the project root
// (dependencies are bundled, never installed), so an installed package names its package.json.
const LOCK_FILE = existsSync(join(PROJECT_ROOT, 'package-lock.json')) ? join(PROJECT_ROOT, 'package-lock.json') : join(PROJECT_ROOT, 'package.json');

/** esbuild settings shared by every function and by the benchmark's bundle-size measurement. */
export const BUNDLING = {
  minify: true,
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  // The Node 24 runtime ships AWS SDK v3: leaving it out keeps bundles small and cold starts short.
  externalModules: ['@aws-sdk/*'],
  // Some dependencies are CommonJS and call require(); ESM bundles need it defined.
  banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
} as const;

export type HandlerFunctionProps = {
  /** The folder under functions/ whose handler.ts this function runs. */
  readonly handler: string;
  /** The export of handler.ts Lambda calls. @default 'handler' */
  readonly exportName?: string;
  /** Merged over the defaults; never replaces them. */
  readonly environment?: Record<string, string>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.DESTROY (logs only) */
  readonly logRemovalPolicy?: RemovalPolicy;
  readonly stage: string;
  /**
   * Ship a source map in the zip and run Node with `--enable-source-maps`, so stack traces name
   * the TypeScript files. Off by default: a map is ~10x the bundle, and Node's source-map support
   * slows every stack trace. @default the `sourceMaps` setting of the enclosing RunLedger, else false
   */
  readonly sourceMaps?: boolean;
  /**
   * Bundle the X-Ray SDK (Powertools Tracer) for a subsegment per handler call and per DynamoDB
   * call. Off by default: it is about 110 KiB of the bundle and half of its own module init. Lambda's
   * active tracing (a segment per invocation) is on either way.
   * @default the `traceCalls` setting of the enclosing RunLedger, else false
   */
  readonly traceCalls?: boolean;
};

/** The context keys RunLedger sets from its config for every function it creates. */
export const SOURCE_MAPS_CONTEXT = 'runledger:sourceMaps';
export const TRACE_CALLS_CONTEXT = 'runledger:traceCalls';

/**
 * The build-time switch of functions/runtime/parts/tracer.ts: esbuild replaces the variable with
 * its value, so a bundle built with it off drops the X-Ray SDK import as dead code.
 */
export function traceCallsDefine(traceCalls: boolean): Record<string, string> {
  return { 'process.env.RUNLEDGER_TRACE_CALLS': JSON.stringify(String(traceCalls)) };
}

/**
 * One runledger handler as a Lambda function: Node 24 on arm64, bundled by the local esbuild
 * (minified, tree-shaken, source maps only on request), JSON logs to its own log group with a
 * retention, X-Ray on.
 */
export class HandlerFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    // Its own role, logging to its own log group only (instead of AWSLambdaBasicExecutionRole's logs:* on *).
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The log group's Arn attribute already ends in ':*', covering its streams.
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const sourceMaps = props.sourceMaps ?? this.node.tryGetContext(SOURCE_MAPS_CONTEXT) === true;
    const traceCalls = props.traceCalls ?? this.node.tryGetContext(TRACE_CALLS_CONTEXT) === true;
    this.function = new NodejsFunction(this, 'Function', {
      role,
      entry: join(PROJECT_ROOT, 'functions', props.handler, 'handler.ts'),
      handler: props.exportName ?? 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: LOCK_FILE,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup: this.logGroup,
      bundling: {
        ...BUNDLING,
        mainFields: [...BUNDLING.mainFields],
        externalModules: [...BUNDLING.externalModules],
        define: traceCallsDefine(traceCalls),
        // Without the sources inlined a map still maps every frame to its file and line, at a fifth of the size.
        ...(sourceMaps ? { sourceMap: true, sourcesContent: false } : { sourceMap: false }),
      },
      environment: {
        POWERTOOLS_SERVICE_NAME: `runledger-${props.handler}`,
        ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        RUNLEDGER_STAGE: props.stage,
        ...props.environment,
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), which has no resource-level permissions.',
    });
  }
}
