import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../cli-io.ts';
import { defineCommand } from '../command-line.ts';

const USAGE = `usage: runledger dev
Starts the whole pipeline locally, as \`npm start\` does: DynamoDB Local (needs Java 17+), the API on
127.0.0.1:$PORT (default 3000), the stream relay, the local bus and the observers. Prints the
development API key. Configured by the same environment (PORT, RUNLEDGER_DATA_DIR, ...: see the
README's Configuration). Ctrl-C stops it.`;

const LOCAL_MAIN = fileURLToPath(new URL('../../local/main.ts', import.meta.url));

export const devCommand = defineCommand({
  name: 'dev',
  summary: 'start the local stack (same as npm start)',
  usage: USAGE,
  options: {},
  run: async ({ positionals }, env, io) => {
    if (positionals.length > 0) throw new UsageError(`dev takes no arguments (got '${positionals.join(' ')}'); configure it with PORT and RUNLEDGER_* variables`);
    // Its own process, as `npm start` runs it: the stack owns its signals and its exit code.
    const child = spawn(process.execPath, [LOCAL_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (text: string) => forwardLines(text, io.out));
    child.stderr.setEncoding('utf8').on('data', (text: string) => forwardLines(text, io.err));
    const stop = () => child.kill('SIGINT');
    io.signal?.addEventListener('abort', stop, { once: true });
    // Ctrl-C or a kill asks the stack to stop (it stops DynamoDB Local; a second ask is harmless), and
    // this process exits with it rather than leaving it behind.
    const forwardInt = () => child.kill('SIGINT');
    const forwardTerm = () => child.kill('SIGTERM');
    process.on('SIGINT', forwardInt);
    process.on('SIGTERM', forwardTerm);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (exitCode, signal) => resolve(exitCode ?? 128 + (signal === null ? 0 : constants.signals[signal])));
      });
    } finally {
      process.off('SIGINT', forwardInt);
      process.off('SIGTERM', forwardTerm);
      io.signal?.removeEventListener('abort', stop);
    }
  },
});

function forwardLines(text: string, print: (line: string) => void): void {
  for (const line of text.replace(/\n$/, '').split('\n')) print(line);
}
