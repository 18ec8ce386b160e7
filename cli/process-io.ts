import { EXIT_FAILED, EXIT_OK, type CliIo } from './cli-io.ts';

/**
 * The bin's CliIo: the process's own streams. A reader that stops early (`runledger events r1 |
 * head -1`) closes the pipe, and the next write fails with EPIPE; that is the reader's way of saying
 * "enough", as for any Unix tool, so the command ends at once with exit 0 and no stack trace.
 */
export function processIo(): CliIo {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_OK);
    process.stderr.write(`runledger: cannot write the output: ${error.message}\n`);
    process.exit(EXIT_FAILED);
  });
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    stdin: process.stdin.isTTY ? undefined : process.stdin,
  };
}
