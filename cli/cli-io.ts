/**
 * What every `runledger` command gets besides its arguments and environment: where to print, and
 * where to read standard input from. Tests pass buffers; the bin passes the process's own streams.
 */
export type CliIo = {
  /** One line of the command's answer (stdout). */
  readonly out: (line: string) => void;
  /** One line of diagnostics (stderr): reconnects, warnings. Errors are printed by the dispatcher. */
  readonly err: (line: string) => void;
  /** Standard input, for `send` without a file; undefined when there is none to read. */
  readonly stdin?: AsyncIterable<string | Buffer> | undefined;
  /** Stops long-running commands (`tail`, `dev`) early, as Ctrl-C does. */
  readonly signal?: AbortSignal | undefined;
};

/** A command's entry point: `(argv, env, io)`, resolving to the process's exit code. */
export type CommandRun = (argv: string[], env: NodeJS.ProcessEnv, io: CliIo) => Promise<number>;

export type Command = {
  readonly name: string;
  /** One line for `runledger --help`. */
  readonly summary: string;
  readonly run: CommandRun;
};

/** The caller got the command line wrong: exit code 2, like most Unix tools. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command ran and could not do its job (unknown run, refused key, rejected events): exit code 1. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
