import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { isValidId } from '#shared/contract/ids.ts';
import { RunledgerClient } from './api-client.ts';
import { EXIT_OK, UsageError, type CliIo, type Command } from './cli-io.ts';
import { resolveConnection } from './connection.ts';

/** The options every command talking to the API takes. */
export const API_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export const API_OPTIONS_HELP = `  --url URL        runledger's address; default $RUNLEDGER_URL, else http://127.0.0.1:3000
  --key KEY        API key; default $RUNLEDGER_API_KEY, else the key \`npm start\` made (.runledger/dev-api-key)
  --json           print JSON instead of tables
  -h, --help       this help`;

/** node:util parseArgs, strict, with its complaints turned into usage errors (exit code 2). */
export function parseCommandLine<const T extends ParseArgsOptionsConfig>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error: unknown) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(error.message);
    throw error;
  }
}

/** The client for `--url` / `--key` or their environment defaults. */
export function clientFor(env: NodeJS.ProcessEnv, values: { url?: string | undefined; key?: string | undefined }): RunledgerClient {
  return new RunledgerClient(resolveConnection(env, values));
}

/** The one `<runId>` positional a command takes, checked against the contract's id rule. */
export function runIdArgument(positionals: readonly string[], usage: string): string {
  const [runId, ...extra] = positionals;
  if (runId === undefined) throw new UsageError(`name the run\n${usage}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0] ?? ''}'`);
  if (!isValidId(runId)) throw new UsageError(`'${runId}' is not a run id (1-128 of letters, digits, '.', '_', ':' or '-')`);
  return runId;
}

/** A whole-number option (`--after 10`), or undefined when not given. */
export function wholeNumber(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be a whole number >= ${min} (got '${value}')`);
  return Number(value);
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const satisfies ParseArgsOptionsConfig;

/**
 * A command from its parts: parses `argv` against `options` (plus --help, which prints `usage`)
 * and hands the parsed flags and positionals to `run`.
 */
export function defineCommand<const T extends ParseArgsOptionsConfig>(spec: {
  name: string;
  summary: string;
  usage: string;
  options: T;
  run: (args: ReturnType<typeof parseCommandLine<T & typeof HELP_OPTION>>, env: NodeJS.ProcessEnv, io: CliIo) => Promise<number>;
}): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    run: async (argv, env, io) => {
      const args = parseCommandLine(argv, { ...spec.options, ...HELP_OPTION });
      if ('help' in args.values && args.values.help === true) {
        io.out(spec.usage);
        return EXIT_OK;
      }
      return spec.run(args, env, io);
    },
  };
}
