import { FunctionConfigSchema, type FunctionEnvironment } from '#functions/runtime/config.ts';
import { JavaCompilerMissingError, JavaMissingError } from './dynamodb-local.ts';
import { DataDirInUseError } from './stack-file.ts';
import { startLocalStack } from './stack.ts';

/** The function configuration keys set in this environment, handed to the handlers as Lambda's environment would. */
function functionEnvironment(env: NodeJS.ProcessEnv): FunctionEnvironment {
  return Object.fromEntries(Object.keys(FunctionConfigSchema.shape).flatMap((key) => (env[key] === undefined ? [] : [[key, env[key]]])));
}

/** A setting of `npm start` itself (not a function setting) is bad. */
class StackSettingError extends Error {
  override readonly name = 'StackSettingError';
}

/** A milliseconds setting of the local stack: a whole number >= 0 (0 turns the timer off), or a start failure naming the key. */
function intervalMs(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const text = env[key];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new StackSettingError(`${key} must be a whole number of milliseconds >= 0 (0 turns it off), not '${text}'`);
  return value;
}

/** `npm start`: the local stack in the foreground, configured from the environment. */
async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.PORT ?? 3000);
  const relayRedriveIntervalMs = intervalMs(env, 'RUNLEDGER_RELAY_REDRIVE_INTERVAL_MS');
  const stack = await startLocalStack({
    port,
    dataDir: env.RUNLEDGER_DATA_DIR ?? '.runledger',
    ...(env.RUNLEDGER_DYNAMODB_ENDPOINT ? { dynamoDbEndpoint: env.RUNLEDGER_DYNAMODB_ENDPOINT } : {}),
    ...(env.RUNLEDGER_API_KEYS ? { apiKeys: env.RUNLEDGER_API_KEYS } : {}),
    ...(env.RUNLEDGER_TABLE_NAME ? { tableName: env.RUNLEDGER_TABLE_NAME } : {}),
    config: functionEnvironment(env),
    // Observers of your own: runledger.config.json in the directory `npm start` was run from (npm runs scripts in the package root and keeps that directory in INIT_CWD).
    configDir: env.INIT_CWD ?? process.cwd(),
    ...(relayRedriveIntervalMs === undefined ? {} : { relayRedriveIntervalMs }),
    faults: { crashBeforePublish: env.RUNLEDGER_FAULT_CRASH_BEFORE_PUBLISH === '1' },
    log: (line) => console.error(line),
  });
  if (stack.devApiKey !== undefined) console.log(`development API key (tenant "dev"): ${stack.devApiKey}`);
  console.log(`data dir ${stack.dataDir}; DynamoDB at ${stack.dynamoDbEndpoint}; \`npm run keys -- create --tenant NAME\` adds keys (it finds this stack through ${stack.dataDir}/stack.json)`);
  // What `npm run example`, the CLI and curl need, whatever PORT is: paste these into another shell.
  console.log(`dashboard: ${stack.dashboardUrl} (sign in with an API key)`);
  console.log('to use this stack from another shell:');
  console.log(`  export RUNLEDGER_URL=${stack.url}`);
  console.log(`  export RUNLEDGER_API_KEY=${stack.devApiKey ?? '<one of the keys in RUNLEDGER_API_KEYS>'}`);
  // Last, as the line that says it is ready (scripts and tests wait for it).
  console.log(`runledger listening on ${stack.url}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping runledger (DynamoDB Local included)...`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof JavaMissingError || error instanceof JavaCompilerMissingError || error instanceof DataDirInUseError || error instanceof StackSettingError) console.error(`runledger: ${error.message}`);
  else if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
    console.error(`runledger: port ${process.env.PORT ?? 3000} is in use; set PORT to another one`);
  } else console.error('runledger failed to start:', error);
  process.exit(1);
});
