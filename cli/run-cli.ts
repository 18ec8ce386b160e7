import { ApiError, UnreachableError } from './api-client.ts';
import { CommandError, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CliIo, type Command } from './cli-io.ts';
import { devCommand } from './commands/dev.ts';
import { eventsCommand } from './commands/events.ts';
import { dlqCommand, keysCommand } from './commands/local-admin.ts';
import { runsCommand } from './commands/runs.ts';
import { sendCommand } from './commands/send.ts';
import { statsCommand } from './commands/stats.ts';
import { statusCommand } from './commands/status.ts';
import { tailCommand } from './commands/tail.ts';

export const COMMANDS: readonly Command[] = [devCommand, sendCommand, statusCommand, eventsCommand, tailCommand, runsCommand, statsCommand, dlqCommand, keysCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'usage: runledger <command> [options]      (npm run runledger -- <command> [options])',
    '',
    'commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Every command takes --help. Commands that call the API take --url (default $RUNLEDGER_URL or',
    'http://127.0.0.1:3000), --key (default $RUNLEDGER_API_KEY or the local dev key) and --json.',
  ].join('\n');
}

/**
 * `runledger <command> ...`: runs the command and turns what went wrong into one line on stderr
 * and an exit code (2: the command line was wrong, 1: the command failed).
 */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // No command is a wrong command line, not a request for help: usage goes to stderr, exit 2.
    io.err(usage());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    if (rest[0] === undefined) {
      io.out(usage());
      return EXIT_OK;
    }
    const command = COMMANDS.find((candidate) => candidate.name === rest[0]);
    if (command !== undefined) return command.run(['--help'], env, io);
    return unknownCommand(rest[0], io);
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) return unknownCommand(name, io);
  try {
    return await command.run(rest, env, io);
  } catch (error: unknown) {
    io.err(`runledger ${command.name}: ${oneLine(reasonOf(error))}`);
    return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
  }
}

function unknownCommand(name: string, io: CliIo): number {
  io.err(`runledger: unknown command '${name}' (runledger --help lists them)`);
  return EXIT_USAGE;
}

function reasonOf(error: unknown): string {
  if (error instanceof UsageError || error instanceof CommandError || error instanceof ApiError || error instanceof UnreachableError) return error.message;
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}

/** Usage errors carry the usage after a newline; the reason itself stays on the first line. */
function oneLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
